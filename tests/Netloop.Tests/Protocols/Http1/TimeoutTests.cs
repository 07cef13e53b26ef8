using System.Text;
using Netloop.Http;
using Netloop.Protocols;
using Netloop.Protocols.Http1;
using Netloop.Tests.Support;

namespace Netloop.Tests.Protocols.Http1;

/// <summary>
/// The protocol's timeouts on the in-memory connection with a fake clock the test moves on: no test here waits in real
/// time, and every deadline is checked on both sides (not yet due, then due).
/// </summary>
public class TimeoutTests
{
    private static HttpProtocolFactory Echo(HttpLimits limits) => new(async ctx =>
    {
        var body = await ctx.Request.Body.ReadAllAsync();
        ctx.Response.Write(body);
    }, limits);

    private static string Text(InMemoryConnection connection) => Encoding.ASCII.GetString(connection.TakeOutput());

    /// <summary>Moves the clock on in steps, running due timers and posted work after each, as a loop would.</summary>
    private static void Pass(FakeClock clock, InMemoryConnection connection, TimeSpan total, TimeSpan step)
    {
        for (var passed = TimeSpan.Zero; passed < total; passed += step)
        {
            clock.Advance(step);
            connection.RunDueTimer();
            connection.RunPosted();
        }
    }

    [Fact]
    public void A_head_that_trickles_in_past_the_request_headers_timeout_gets_408_and_a_close()
    {
        var clock = new FakeClock();
        var limits = new HttpLimits { RequestHeadersTimeout = TimeSpan.FromSeconds(2) };
        var connection = new InMemoryConnection(Echo(limits).Create(), clock);

        Assert.True(connection.Receive("GET /slow HTTP/1.1\r\nHost: x\r\nX-Slow: "u8));
        Pass(clock, connection, TimeSpan.FromMilliseconds(1900), TimeSpan.FromMilliseconds(100));
        Assert.True(connection.Receive("z"u8)); // a byte now and then does not reset the deadline (slowloris)
        Assert.False(connection.IsClosed);
        Assert.Empty(connection.TakeOutput());

        Pass(clock, connection, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(100));

        Assert.True(connection.IsClosed);
        string response = Text(connection);
        Assert.StartsWith("HTTP/1.1 408 ", response);
        Assert.Contains("Connection: close", response, StringComparison.Ordinal);
    }

    [Fact]
    public void A_head_completed_before_the_timeout_is_served_and_the_timer_is_disarmed()
    {
        var clock = new FakeClock();
        var limits = new HttpLimits { RequestHeadersTimeout = TimeSpan.FromSeconds(2) };
        var connection = new InMemoryConnection(new HttpProtocolFactory(ctx =>
        {
            ctx.Response.WriteText("ok");
            return ValueTask.CompletedTask;
        }, limits).Create(), clock);

        Assert.True(connection.Receive("GET / HTTP/1.1\r\nHo"u8));
        Assert.Equal(clock.NowMs + 2000, connection.TimerDueMs);
        Pass(clock, connection, TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(500));
        Assert.True(connection.Receive("st: x\r\n\r\n"u8));

        Assert.EndsWith("ok", Text(connection));
        Assert.Null(connection.TimerDueMs);
        Pass(clock, connection, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        Assert.False(connection.IsClosed);
    }

    [Fact]
    public void A_body_slower_than_the_minimum_data_rate_gets_408_after_the_grace_period_and_not_before()
    {
        var clock = new FakeClock();
        var limits = new HttpLimits { MinRequestBodyDataRate = 1000, MinRequestBodyDataRateGracePeriod = TimeSpan.FromSeconds(2) };
        var connection = new InMemoryConnection(Echo(limits).Create(), clock);

        Assert.True(connection.Receive("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nslow"u8));
        Pass(clock, connection, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
        Assert.False(connection.IsClosed); // within the grace period

        Pass(clock, connection, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        Assert.True(connection.IsClosed);
        Assert.StartsWith("HTTP/1.1 408 ", Text(connection));
    }

    [Fact]
    public void A_body_that_keeps_up_with_the_minimum_data_rate_is_not_cut_off()
    {
        var clock = new FakeClock();
        var limits = new HttpLimits { MinRequestBodyDataRate = 1000, MinRequestBodyDataRateGracePeriod = TimeSpan.FromSeconds(1) };
        var connection = new InMemoryConnection(Echo(limits).Create(), clock);

        Assert.True(connection.Receive("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n"u8));
        for (int second = 0; second < 9; second++)
        {
            Assert.True(connection.Receive(new byte[1100]));
            Pass(clock, connection, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            Assert.False(connection.IsClosed);
        }
        Assert.True(connection.Receive(new byte[100]));
        connection.RunPosted();

        string response = Text(connection);
        Assert.StartsWith("HTTP/1.1 200 OK", response);
        Assert.Contains("Content-Length: 10000", response, StringComparison.Ordinal);
    }

    [Fact]
    public void The_Date_header_comes_from_the_loop_clock()
    {
        var clock = new FakeClock();
        var connection = new InMemoryConnection(new HttpProtocolFactory(ctx =>
        {
            ctx.Response.WriteText("ok");
            return ValueTask.CompletedTask;
        }).Create(), clock);

        Assert.True(connection.Receive("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8));
        Assert.Contains("Date: Fri, 02 Jan 2026 03:04:05 GMT\r\n", Text(connection), StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(2));
        Assert.True(connection.Receive("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8));
        Assert.Contains("Date: Fri, 02 Jan 2026 04:04:07 GMT\r\n", Text(connection), StringComparison.Ordinal);
    }
}
