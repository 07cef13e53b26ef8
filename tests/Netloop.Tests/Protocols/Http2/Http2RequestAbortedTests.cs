using System.Buffers;
using Netloop.Protocols;
using Netloop.Protocols.Http2;
using Netloop.Protocols.Http2.Hpack;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Protocols.Http2;

/// <summary><see cref="Netloop.Http.HttpContext.RequestAborted"/> over HTTP/2: a stream's reset is its request's abort, and only its.</summary>
public class Http2RequestAbortedTests
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    [Fact]
    public void Rst_stream_from_the_client_fires_request_aborted_of_that_stream_only()
    {
        var aborted = new Dictionary<string, bool>();
        var harness = AppHarness.Create(app => app.MapGet("/wait/{name}", async context =>
        {
            string name = context.Route["name"]!;
            aborted[name] = false;
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted[name] = true;
            }
        }));
        var connection = new InMemoryConnection(harness.App.Protocol.Create());
        connection.Receive([.. Preface, .. Frame(0, Http2FrameType.Settings, Http2Flags.None, [])]);
        var encoder = new HpackEncoder();
        connection.Receive(Headers(encoder, 1, "/wait/first"));
        connection.Receive(Headers(encoder, 3, "/wait/second"));
        connection.RunPosted();
        Assert.Equal(new Dictionary<string, bool> { ["first"] = false, ["second"] = false }, aborted);

        connection.Receive(Frame(1, Http2FrameType.RstStream, Http2Flags.None, [0, 0, 0, (byte)Http2ErrorCode.Cancel]));
        connection.RunPosted();

        Assert.True(aborted["first"]);
        Assert.False(aborted["second"]);
        Assert.False(connection.IsClosed);
    }

    private static byte[] Headers(HpackEncoder encoder, int streamId, string path)
    {
        var block = new ArrayBufferWriter<byte>();
        encoder.Encode(":method"u8, "GET"u8, block, HpackIndexing.Incremental);
        encoder.Encode(":scheme"u8, "http"u8, block, HpackIndexing.Incremental);
        encoder.Encode(":path"u8, System.Text.Encoding.ASCII.GetBytes(path), block, HpackIndexing.Incremental);
        encoder.Encode(":authority"u8, "localhost"u8, block, HpackIndexing.Incremental);
        return Frame(streamId, Http2FrameType.Headers, Http2Flags.EndHeaders | Http2Flags.EndStream, block.WrittenSpan);
    }

    private static byte[] Frame(int streamId, Http2FrameType type, byte flags, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[Http2FrameHeader.Size + payload.Length];
        Http2FrameHeader.Write(frame, payload.Length, type, flags, streamId);
        payload.CopyTo(frame.AsSpan(Http2FrameHeader.Size));
        return frame;
    }
}
