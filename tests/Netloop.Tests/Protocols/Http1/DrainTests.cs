using System.Text;
using Netloop.Http;
using Netloop.Protocols;
using Netloop.Protocols.Http1;
using Netloop.Tests.Support;

namespace Netloop.Tests.Protocols.Http1;

/// <summary>
/// HTTP/1.1 at a graceful stop (RFC 9112 §9.6), in memory: the request in progress and any request arriving during the
/// drain are answered with <c>Connection: close</c> and the connection closes after the response; an idle connection
/// closes when the drain grace ends, one with a head still arriving does not.
/// </summary>
public class DrainTests
{
    private static readonly byte[] Get = "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray();

    private static HttpProtocolFactory Factory(RequestHandler? handler = null) =>
        new(handler ?? (ctx =>
        {
            ctx.Response.WriteText("hello");
            return ValueTask.CompletedTask;
        }));

    private static string Text(InMemoryConnection connection) => Encoding.ASCII.GetString(connection.TakeOutput());

    [Fact]
    public async Task A_request_in_progress_at_the_stop_is_answered_in_full_with_connection_close_then_the_connection_closes()
    {
        var release = new TaskCompletionSource();
        var connection = new InMemoryConnection(Factory(async ctx =>
        {
            await release.Task;
            ctx.Response.WriteText("late but whole");
        }).Create(), new FakeClock());
        Assert.True(connection.Receive(Get));
        Assert.Equal("", Text(connection)); // the handler is at work

        Assert.True(connection.BeginShutdown());
        Assert.False(connection.IsClosed);
        release.SetResult();
        await Clients.EventuallyAsync(() => connection.RunPosted() > 0 || connection.IsClosed, Clients.Patience);

        string response = Text(connection);
        Assert.StartsWith("HTTP/1.1 200 OK", response);
        Assert.Contains("\r\nConnection: close\r\n", response);
        Assert.EndsWith("late but whole", response);
        Assert.True(connection.IsClosed);
        Assert.False(connection.WasAborted);
    }

    [Fact]
    public void A_request_arriving_during_the_drain_is_answered_with_connection_close()
    {
        var connection = new InMemoryConnection(Factory().Create(), new FakeClock());
        Assert.True(connection.Receive(Get));
        Assert.DoesNotContain("Connection: close", Text(connection)); // before the stop: keep-alive
        Assert.IsType<Http1IdleProtocol>(connection.Protocol);

        Assert.True(connection.BeginShutdown());
        Assert.False(connection.IsClosed); // idle, but a request may be on its way: the grace decides

        connection.Receive(Get);
        string response = Text(connection);
        Assert.StartsWith("HTTP/1.1 200 OK", response);
        Assert.Contains("\r\nConnection: close\r\n", response);
        Assert.EndsWith("hello", response);
        Assert.True(connection.IsClosed);
    }

    [Fact]
    public void Pipelined_requests_at_the_stop_get_one_answer_that_says_close()
    {
        var connection = new InMemoryConnection(Factory().Create(), new FakeClock());
        connection.IsDraining = true;
        connection.Receive([.. Get, .. Get]);

        string response = Text(connection);
        Assert.Equal(1, CountOf(response, "HTTP/1.1 200 OK"));
        Assert.Contains("\r\nConnection: close\r\n", response);
        Assert.True(connection.IsClosed);
    }

    [Fact]
    public void An_idle_connection_closes_when_the_drain_grace_ends()
    {
        var clock = new FakeClock();
        var connection = new InMemoryConnection(Factory().Create(), clock);
        Assert.True(connection.Receive(Get));
        Text(connection);

        Assert.True(connection.BeginShutdown());
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(connection.IsClosed); // the transport's grace timer, not the protocol's clock, decides
        connection.EndDrainGrace();

        Assert.True(connection.IsClosed);
        Assert.False(connection.WasAborted);
        Assert.Equal("", Text(connection)); // nothing owed, nothing said
    }

    [Fact]
    public void A_fresh_connection_that_never_sent_a_byte_closes_when_the_drain_grace_ends()
    {
        var connection = new InMemoryConnection(Factory().Create(), new FakeClock());
        Assert.True(connection.BeginShutdown());
        Assert.False(connection.IsClosed);
        connection.EndDrainGrace();
        Assert.True(connection.IsClosed);
    }

    [Fact]
    public void A_head_still_arriving_when_the_grace_ends_is_left_to_finish_and_is_answered_with_close()
    {
        var connection = new InMemoryConnection(Factory().Create(), new FakeClock());
        Assert.True(connection.Receive(Get.AsSpan(0, 12)));
        Assert.True(connection.BeginShutdown());
        connection.EndDrainGrace();
        Assert.False(connection.IsClosed);

        connection.Receive(Get.AsSpan(12));
        string response = Text(connection);
        Assert.Contains("\r\nConnection: close\r\n", response);
        Assert.EndsWith("hello", response);
        Assert.True(connection.IsClosed);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}
