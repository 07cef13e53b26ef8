using Netloop.Protocols;
using Netloop.Protocols.Http2;
using Netloop.Transport;

namespace Netloop.Fuzz;

/// <summary>
/// HTTP/2 framing: the input is walked as a sequence of frames with <see cref="Http2FrameHeader.Read"/> (which must
/// round-trip through <see cref="Http2FrameHeader.Write"/>), and each whole frame is delivered on its own to an
/// <see cref="Http2Connection"/> that has had the client preface, so mutations land on frame boundaries.
/// </summary>
internal sealed class Http2FramesTarget : FuzzTarget
{
    private static readonly byte[] s_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public override string Name => "http2-frames";

    public override string Description => "Http2FrameHeader and the frame reader: the input is HTTP/2 frames after the preface";

    public override void Run(ReadOnlySpan<byte> input)
    {
        var clock = new DrivenClock();
        var factory = FuzzApp.Protocol;
        var connection = new InMemoryConnection(factory.Create(), clock);
        connection.SwitchProtocol(factory.CreateForAlpn(connection, "h2"u8));
        bool open = connection.Receive(s_preface);
        Span<byte> written = stackalloc byte[Http2FrameHeader.Size];
        while (input.Length >= Http2FrameHeader.Size)
        {
            Http2FrameHeader header = Http2FrameHeader.Read(input);
            FuzzBugException.Check(header.Length is >= 0 and <= Http2FrameHeader.MaxAllowedFrameSize && header.StreamId >= 0, $"read {header}");
            Http2FrameHeader.Write(written, header.Length, header.Type, header.Flags, header.StreamId);
            FuzzBugException.Check(written[..5].SequenceEqual(input[..5]) && written[5] == (input[5] & 0x7f) && written[6..].SequenceEqual(input[6..9]),
                $"{header} did not round-trip");
            int frameLength = (int)Math.Min(Http2FrameHeader.Size + (long)header.Length, input.Length);
            if (open)
            {
                open = connection.Receive(input[..frameLength]);
                connection.RunPosted();
                connection.TakeOutput();
            }
            input = input[frameLength..];
        }
        if (open && !input.IsEmpty) connection.Receive(input);
        clock.Advance(TimeSpan.FromMinutes(5));
        connection.RunDueTimer();
        connection.RunPosted();
        connection.Drop(CloseReason.Reset);
        connection.RunPosted();
    }
}
