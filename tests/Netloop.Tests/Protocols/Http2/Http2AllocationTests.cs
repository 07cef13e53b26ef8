using System.Buffers;
using Netloop.Protocols.Http2;
using Netloop.Server;
using Netloop.Protocols.Http2.Hpack;
using Netloop.Tests.Protocols.Http2.Support;
using Netloop.Tests.Support;
using Netloop.Transport;

namespace Netloop.Tests.Protocols.Http2;

/// <summary>The HTTP/2 GET path allocates nothing per request in steady state, and an idle connection holds no stream state.</summary>
public class Http2AllocationTests
{
    [Theory]
    [InlineData("plaintext")]
    [InlineData("json")]
    public void A_keep_alive_stream_of_GETs_allocates_nothing_per_request_after_warm_up(string body)
    {
        var message = new AllocationMessage("Hello, World!"); // the server's allocations are measured, not the handler's
        var factory = new Netloop.Protocols.Http1.HttpProtocolFactory(context =>
        {
            if (body == "json") context.Response.WriteJson(message, AllocationJsonContext.Default.AllocationMessage);
            else context.Response.WriteText("Hello, World!");
            return ValueTask.CompletedTask;
        });
        var connection = new FrameCountingConnection(factory.Create());
        // As h2load does: the connection window opened wide, so 12,000 responses never wait for a WINDOW_UPDATE.
        connection.Deliver([.. H2Client.Preface, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 4, 8, 0, 0, 0, 0, 0, 0x7f, 0xff, 0, 0]);

        // The request head as a client's encoder sends it after the first request: every field indexed.
        var encoder = new HpackEncoder();
        var scratch = new ArrayBufferWriter<byte>();
        EncodeRequest(encoder, scratch);
        scratch.ResetWrittenCount();
        EncodeRequest(encoder, scratch);
        byte[] first = Frame(1, EncodeRequestOnce());
        connection.Deliver(first);
        byte[] frame = Frame(3, scratch.WrittenSpan);

        int streamId = 3;
        for (int i = 0; i < 2_000; i++) Send(connection, frame, ref streamId); // warm-up: JIT, pools, HPACK tables

        using var listener = new AllocListener();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) Send(connection, frame, ref streamId);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(connection.Resets == 0, connection.LastError);
        Assert.Equal(12_001, connection.Responses);
        // The bytes are this thread's; the listener's ticks are the whole process's (tests run in parallel), so they
        // only help name what this thread allocated when it did.
        Assert.True(allocated == 0, $"{allocated} B over 10,000 requests; allocation ticks in the process meanwhile: "
            + string.Join(", ", listener.Types.GroupBy(t => t).Select(g => g.Key + " ×" + g.Count())));
    }

    [Fact]
    public void A_connection_that_only_exchanged_settings_holds_no_streams_or_hpack_tables()
    {
        var harness = AppHarness.Create(app => app.MapGet("/", context => context.Response.WriteText("x")));
        var connection = new FrameCountingConnection(harness.App.Protocol.Create());
        connection.Deliver([.. H2Client.Preface, 0, 0, 0, 4, 0, 0, 0, 0, 0]);

        var http2 = Assert.IsType<Http2Connection>(connection.Protocol);
        Assert.Equal(0, http2.OpenStreamCount);
        Assert.False(http2.HasHpackState);
    }

    private static void Send(FrameCountingConnection connection, byte[] frame, ref int streamId)
    {
        frame[5] = (byte)(streamId >> 24);
        frame[6] = (byte)(streamId >> 16);
        frame[7] = (byte)(streamId >> 8);
        frame[8] = (byte)streamId;
        connection.Deliver(frame);
        streamId += 2;
    }

    private static byte[] EncodeRequestOnce()
    {
        var scratch = new ArrayBufferWriter<byte>();
        EncodeRequest(new HpackEncoder(), scratch);
        return scratch.WrittenSpan.ToArray();
    }

    private static void EncodeRequest(HpackEncoder encoder, IBufferWriter<byte> output)
    {
        encoder.Encode(":method"u8, "GET"u8, output, HpackIndexing.Incremental);
        encoder.Encode(":scheme"u8, "http"u8, output, HpackIndexing.Incremental);
        encoder.Encode(":path"u8, "/plaintext"u8, output, HpackIndexing.Incremental);
        encoder.Encode(":authority"u8, "127.0.0.1:8080"u8, output, HpackIndexing.Incremental);
        encoder.Encode("user-agent"u8, "h2load nghttp2/1.52.0"u8, output, HpackIndexing.Incremental);
        encoder.Encode("accept"u8, "*/*"u8, output, HpackIndexing.Incremental);
    }

    private static byte[] Frame(int streamId, ReadOnlySpan<byte> block) =>
        H2Client.Frame((byte)Http2FrameType.Headers, Http2Flags.EndHeaders | Http2Flags.EndStream, streamId, block);

    private sealed class AllocListener : System.Diagnostics.Tracing.EventListener
    {
        public readonly System.Collections.Concurrent.ConcurrentBag<string> Types = new();
        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
        }
        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
        {
            if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true) Types.Add(e.Payload![e.PayloadNames!.IndexOf("TypeName")]?.ToString() ?? "?");
        }
    }

    /// <summary>A connection that counts response HEADERS and RST_STREAM frames in what the server writes, without keeping it.</summary>
    private sealed class FrameCountingConnection(IConnectionProtocol protocol) : IConnection, IBufferWriter<byte>
    {
        private readonly byte[] _buffer = new byte[256 * 1024];
        private int _written;

        public IConnectionProtocol Protocol { get; private set; } = protocol;

        public int Responses { get; private set; }

        public int Resets { get; private set; }

        public string? LastError { get; private set; }

        public void Deliver(byte[] data)
        {
            int consumed = Protocol.OnReceived(this, data);
            if (consumed != data.Length) throw new InvalidOperationException("frame not consumed");
            int position = 0;
            while (position + Http2FrameHeader.Size <= _written)
            {
                var header = Http2FrameHeader.Read(_buffer.AsSpan(position));
                if (header.Type == Http2FrameType.Headers) Responses++;
                if (header.Type is Http2FrameType.RstStream or Http2FrameType.GoAway)
                {
                    Resets++;
                    LastError = System.Text.Encoding.ASCII.GetString(_buffer.AsSpan(position + Http2FrameHeader.Size, header.Length));
                }
                position += Http2FrameHeader.Size + header.Length;
            }
            _written = 0;
        }

        public long Id => 1;
        public System.Net.IPEndPoint? RemoteEndPoint => null;
        public IBufferWriter<byte> Output => this;
        public long PendingOutputBytes => _written;
        public void Flush() { }
        public void Post(Action<object?> work, object? state) => throw new InvalidOperationException("nothing is posted");
        public void SuspendInput() { }
        public void ResumeInput() { }
        public void SendFile(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long length) => file.Dispose();
        public void SetTimer(TimeSpan? dueIn) { }
        public void Close() { }
        public void Abort() { }
        public void SwitchProtocol(IConnectionProtocol protocol) => Protocol = protocol;
        public void Advance(int count) => _written += count;
        public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(_written);
        public Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(_written);
    }
}

/// <summary>The body of the JSON case, as the TechEmpower JSON test's.</summary>
public sealed record AllocationMessage(string message);

[System.Text.Json.Serialization.JsonSerializable(typeof(AllocationMessage))]
internal sealed partial class AllocationJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
