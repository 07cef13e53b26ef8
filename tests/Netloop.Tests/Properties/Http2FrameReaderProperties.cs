using CsCheck;
using Netloop.Protocols.Http2;
using Netloop.Tests.Protocols.Http2.Support;
using static Netloop.Tests.Properties.PropertyBounds;

namespace Netloop.Tests.Properties;

/// <summary>
/// Reading frames: every 9-byte header round-trips through <see cref="Http2FrameHeader"/> (the reserved bit
/// ignored), and the connection's frame reader acts on a byte stream the same however it is split: the frames the
/// server writes (window updates aside, which follow read turns) are the same as when it arrives in one piece.
/// </summary>
public class Http2FrameReaderProperties
{
    [Fact]
    public void Frame_headers_round_trip_and_ignore_the_reserved_bit()
    {
        Gen.Select(Gen.Int[0, Http2FrameHeader.MaxAllowedFrameSize], Gen.Byte, Gen.Byte, Gen.Int[0, int.MaxValue], Gen.Bool).Sample((length, type, flags, streamId, reserved) =>
        {
            var bytes = new byte[Http2FrameHeader.Size];
            Http2FrameHeader.Write(bytes, length, (Http2FrameType)type, flags, streamId);
            if (reserved) bytes[5] |= 0x80;
            Assert.Equal(new Http2FrameHeader(length, (Http2FrameType)type, flags, streamId), Http2FrameHeader.Read(bytes));
        }, time: 1, threads: Threads);
    }

    private static List<string> ServerFrames(byte[] bytes, int[] cuts)
    {
        var client = new H2Client(handler: Http2Frames.Handle);
        foreach (byte[] piece in Pieces(bytes, cuts))
        {
            if (client.Connection.IsClosed) break;
            client.Send(piece); // no posted work between pieces: the handlers see the same frames in both runs
        }
        return [.. client.Read().Where(f => f.Type != Http2FrameType.WindowUpdate).Select(f => $"{f.Type} 0x{f.Flags:X2} {f.StreamId} {Convert.ToHexString(f.Payload)}")];
    }

    [Fact]
    public void A_byte_stream_split_anywhere_gets_the_same_frames_as_one_piece()
    {
        Gen.Select(Http2Frames.Any, Gen.OneOf(Gen.Const(Array.Empty<Mutation>()), Mutations), Cuts).Sample((sent, mutations, cuts) =>
        {
            byte[] bytes = [.. Http2Frames.ClientStart, .. Apply(Http2Frames.Serialize(sent), mutations)];
            Assert.Equal(ServerFrames(bytes, []), ServerFrames(bytes, cuts));
        }, time: Seconds, threads: Threads);
    }
}
