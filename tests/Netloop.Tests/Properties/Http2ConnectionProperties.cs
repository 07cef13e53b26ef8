using CsCheck;
using Netloop.Protocols.Http2;
using Netloop.Tests.Protocols.Http2.Support;
using static Netloop.Tests.Properties.PropertyBounds;

namespace Netloop.Tests.Properties;

/// <summary>
/// The whole HTTP/2 connection on the in-memory connection with a driven clock: after the preface, random frame
/// sequences (valid, invalid, mutated, split anywhere) never throw out of the protocol, and once the client has
/// half-closed, the connection always ends as the clock runs on: with a GOAWAY, every stream the server answered
/// ended by END_STREAM or RST_STREAM unless the client reset it or the connection failed.
/// </summary>
public class Http2ConnectionProperties
{
    /// <summary>Delivers the bytes in pieces, then half-closes and moves the clock on until the connection closes (at most two minutes); returns every frame the server wrote.</summary>
    private static (H2Client Client, List<H2Frame> Frames) Run(byte[] bytes, int[] cuts)
    {
        var client = new H2Client(handler: Http2Frames.Handle);
        var frames = new List<H2Frame>();
        foreach (byte[] piece in Pieces(bytes, cuts))
        {
            client.Send(piece);
            frames.AddRange(client.Read());
            if (client.Connection.IsClosed) break;
        }
        client.Connection.CompleteInput();
        frames.AddRange(client.Read());
        for (int second = 0; second < 120 && !client.Connection.IsClosed; second++)
        {
            client.Clock.Advance(TimeSpan.FromSeconds(1));
            client.Connection.RunDueTimer();
            frames.AddRange(client.Read());
        }
        return (client, frames);
    }

    [Fact]
    public void Plausible_frame_sequences_end_in_responses_resets_or_GOAWAY()
    {
        Gen.Select(Http2Frames.Plausible, Cuts).Sample((sent, cuts) =>
        {
            var (client, frames) = Run([.. Http2Frames.ClientStart, .. Http2Frames.Serialize(sent)], cuts);

            Assert.True(client.Connection.IsClosed, "open two minutes after the client's FIN: " + H2Client.Describe(frames));
            var goAway = frames.LastOrDefault(f => f.Type == Http2FrameType.GoAway);
            Assert.True(goAway is not null, "closed without GOAWAY: " + H2Client.Describe(frames));
            if (goAway.ErrorCode != Http2ErrorCode.NoError) return; // a connection error abandons the streams (§5.4.1)
            var clientReset = sent.Where(f => f.Type == (byte)Http2FrameType.RstStream).Select(f => f.StreamId).ToHashSet();
            foreach (var stream in frames.Where(f => f.StreamId != 0).GroupBy(f => f.StreamId))
            {
                if (clientReset.Contains(stream.Key)) continue;
                var last = stream.Last();
                Assert.True(last.Type == Http2FrameType.RstStream || last.Has(Http2Flags.EndStream),
                    $"stream {stream.Key} left unfinished: {H2Client.Describe(frames)}");
            }
        }, time: Seconds, threads: Threads);
    }

    [Fact]
    public void Mutated_frame_sequences_never_throw_and_always_end()
    {
        Gen.Select(Http2Frames.Any, Gen.OneOf(Gen.Const(Array.Empty<Mutation>()), Mutations), Cuts).Sample((sent, mutations, cuts) =>
        {
            var (client, frames) = Run([.. Http2Frames.ClientStart, .. Apply(Http2Frames.Serialize(sent), mutations)], cuts);

            Assert.True(client.Connection.IsClosed, "open two minutes after the client's FIN: " + H2Client.Describe(frames));
            Assert.Contains(frames, f => f.Type == Http2FrameType.GoAway);
        }, time: Seconds, threads: Threads);
    }
}
