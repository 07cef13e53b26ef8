using System.Text;
using Netloop.Http;
using Netloop.Protocols;
using Netloop.Protocols.Http1;
using Netloop.Tests.Support;
using Netloop.Transport;

namespace Netloop.Tests.Protocols.Http1;

/// <summary>
/// An HTTP/1.1 connection with no request in progress runs on the factory's shared stand-in, and the live state machine
/// goes back to the thread's pool: these tests prove the hand-over loses nothing (split heads, pipelining, async
/// handlers, the HTTP/2 preface, closes) and that pooled state machines never leak one connection's state into another.
/// </summary>
public class IdleConnectionTests
{
    private static readonly byte[] Get = "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray();

    private static HttpProtocolFactory Factory(RequestHandler? handler = null) =>
        new(handler ?? (ctx =>
        {
            ctx.Response.WriteText("hello " + Encoding.ASCII.GetString(ctx.Request.RawPath));
            return ValueTask.CompletedTask;
        }));

    private static string Text(InMemoryConnection connection) => Encoding.ASCII.GetString(connection.TakeOutput());

    [Fact]
    public void A_connection_runs_on_the_shared_stand_in_before_its_first_byte_and_between_requests()
    {
        var factory = Factory();
        var a = new InMemoryConnection(factory.Create());
        var b = new InMemoryConnection(factory.Create());
        Assert.IsType<Http1IdleProtocol>(a.Protocol);
        Assert.Same(a.Protocol, b.Protocol);

        Assert.True(a.Receive(Get));
        Assert.True(b.Receive(Get));

        Assert.StartsWith("HTTP/1.1 200 OK", Text(a));
        Assert.StartsWith("HTTP/1.1 200 OK", Text(b));
        Assert.IsType<Http1IdleProtocol>(a.Protocol);
        Assert.Same(a.Protocol, b.Protocol);
        Assert.NotSame(factory.Create(), a.Protocol); // between requests: the stand-in that skips the HTTP/2 preface check
    }

    [Fact]
    public void A_head_that_arrives_in_pieces_keeps_its_state_machine_until_the_request_is_answered()
    {
        var a = new InMemoryConnection(Factory().Create());

        Assert.True(a.Receive(Get.AsSpan(0, 10)));
        Assert.IsType<Http1Connection>(a.Protocol);
        Assert.NotNull(a.TimerDueIn); // the request-headers timeout runs while the head trickles in

        Assert.True(a.Receive(Get.AsSpan(10)));
        Assert.EndsWith("hello /plaintext", Text(a));
        Assert.IsType<Http1IdleProtocol>(a.Protocol);
        Assert.Null(a.TimerDueIn);
    }

    [Fact]
    public void Interleaved_connections_sharing_pooled_state_machines_each_get_their_own_answers()
    {
        var factory = Factory();
        var connections = Enumerable.Range(0, 8).Select(_ => new InMemoryConnection(factory.Create())).ToArray();
        var requests = connections.Select((_, i) => Encoding.ASCII.GetBytes($"GET /c{i} HTTP/1.1\r\nHost: a\r\n\r\n")).ToArray();

        for (int round = 0; round < 3; round++)
        {
            // Half of every head first, on all connections, so several state machines are live at once; then the rest.
            for (int i = 0; i < connections.Length; i++) Assert.True(connections[i].Receive(requests[i].AsSpan(0, requests[i].Length / 2)));
            for (int i = connections.Length - 1; i >= 0; i--) Assert.True(connections[i].Receive(requests[i].AsSpan(requests[i].Length / 2)));
            for (int i = 0; i < connections.Length; i++)
            {
                string response = Text(connections[i]);
                Assert.StartsWith("HTTP/1.1 200 OK", response);
                Assert.EndsWith($"hello /c{i}", response);
                Assert.IsType<Http1IdleProtocol>(connections[i].Protocol);
            }
        }
    }

    [Fact]
    public void Pipelined_requests_are_answered_in_order_across_the_hand_overs()
    {
        var a = new InMemoryConnection(Factory().Create());
        var pipelined = Encoding.ASCII.GetBytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\nGET /4 HTTP/1.1\r\nHo");

        Assert.True(a.Receive(pipelined));
        string first = Text(a);
        Assert.Equal(3, CountOf(first, "HTTP/1.1 200 OK"));
        Assert.True(first.IndexOf("hello /1", StringComparison.Ordinal) < first.IndexOf("hello /2", StringComparison.Ordinal));
        Assert.True(first.IndexOf("hello /2", StringComparison.Ordinal) < first.IndexOf("hello /3", StringComparison.Ordinal));
        Assert.IsType<Http1Connection>(a.Protocol); // the fourth head is half in

        Assert.True(a.Receive("st: a\r\n\r\n"u8));
        Assert.EndsWith("hello /4", Text(a));
        Assert.IsType<Http1IdleProtocol>(a.Protocol);
    }

    [Fact]
    public void An_async_handler_keeps_the_state_machine_until_it_completes_and_its_response_is_written()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var factory = Factory(async ctx =>
        {
            await gate.Task;
            ctx.Response.WriteText("late");
        });
        var a = new InMemoryConnection(factory.Create());

        Assert.True(a.Receive(Get));
        Assert.IsType<Http1Connection>(a.Protocol);
        Assert.Empty(a.TakeOutput());

        gate.SetResult();
        SpinWait.SpinUntil(() => a.PostedCount > 0, TimeSpan.FromSeconds(10));
        a.RunPosted();

        Assert.EndsWith("late", Text(a));
        Assert.IsType<Http1IdleProtocol>(a.Protocol);
        Assert.False(a.IsClosed);
    }

    [Fact]
    public void An_http2_preface_split_before_the_first_request_is_still_recognised()
    {
        var a = new InMemoryConnection(Factory().Create());
        var preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

        Assert.True(a.Receive(preface.AsSpan(0, 5)));
        Assert.True(a.Receive(preface.AsSpan(5, 5)));
        Assert.Empty(a.TakeOutput()); // nothing is decided on a prefix
        a.Receive(preface.AsSpan(10));

        // The connection now speaks HTTP/2: the server preface (a SETTINGS frame) comes first, no HTTP/1.1 status line.
        Assert.IsType<Netloop.Protocols.Http2.Http2Connection>(a.Protocol);
        Assert.False(a.IsClosed);
        var output = a.TakeOutput();
        Assert.True(output.Length >= 9);
        Assert.Equal(0x04, output[3]);
    }

    [Fact]
    public void An_http2_preface_on_an_http1_only_server_is_refused_with_goaway()
    {
        var limits = new HttpLimits { Protocols = HttpProtocols.Http1 };
        var a = new InMemoryConnection(new HttpProtocolFactory(_ => ValueTask.CompletedTask, limits).Create());

        a.Receive("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8);

        Assert.True(a.IsClosed);
        var output = a.TakeOutput();
        Assert.Equal(0x04, output[3]); // SETTINGS, then GOAWAY (HTTP_1_1_REQUIRED)
        Assert.Equal(0x07, output[12]);
        Assert.Equal(0x0d, output[^1]);
    }

    [Fact]
    public void A_connection_closed_after_its_request_leaves_nothing_for_the_next_one_to_inherit()
    {
        var factory = Factory();
        var closing = new InMemoryConnection(factory.Create());
        Assert.False(closing.Receive("GET /bye HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"u8));
        Assert.Contains("Connection: close", Text(closing), StringComparison.OrdinalIgnoreCase);

        // The next connection most likely gets the same pooled state machine: it must start fresh (keep-alive, no close).
        var next = new InMemoryConnection(factory.Create());
        Assert.True(next.Receive(Get));
        string response = Text(next);
        Assert.DoesNotContain("Connection: close", response, StringComparison.OrdinalIgnoreCase);
        Assert.False(next.IsClosed);
        Assert.True(next.Receive(Get));
        Assert.EndsWith("hello /plaintext", Text(next));
    }

    [Fact]
    public void The_peer_closing_an_idle_connection_closes_it()
    {
        var a = new InMemoryConnection(Factory().Create());
        Assert.True(a.Receive(Get));
        a.TakeOutput();

        a.CompleteInput();

        Assert.True(a.IsClosed);
        Assert.Empty(a.TakeOutput());
    }

    [Fact]
    public void Keep_alive_requests_allocate_nothing_across_the_hand_overs()
    {
        var factory = new HttpProtocolFactory(static ctx =>
        {
            ctx.Response.Write("Hello, World!"u8);
            return ValueTask.CompletedTask;
        });
        var connection = new CountingConnection(factory.Create());
        for (int i = 0; i < 1_000; i++) connection.Deliver(Get); // warm-up: JIT, pools, the date cache

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) connection.Deliver(Get);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(11_000, connection.Responses);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}
