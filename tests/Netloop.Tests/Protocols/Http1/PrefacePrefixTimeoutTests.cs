using System.Text;
using Netloop.Http;
using Netloop.Protocols;
using Netloop.Protocols.Http1;
using Netloop.Tests.Support;

namespace Netloop.Tests.Protocols.Http1;

/// <summary>
/// A connection's first bytes that could still be the HTTP/2 client preface ("P", "PRI * HT") are a head like any
/// other: held to the request-headers timeout. Found by the HTTP/1.1 connection property test: no timer was armed, so
/// a client that sent "P" and stalled held the connection until the transport's idle timeout (per byte, up to the
/// preface's 24).
/// </summary>
public class PrefacePrefixTimeoutTests
{
    private const string Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    private static InMemoryConnection Connect(FakeClock clock, HttpProtocols protocols) =>
        new(new HttpProtocolFactory(ctx =>
        {
            ctx.Response.WriteText("ok");
            return ValueTask.CompletedTask;
        }, new HttpLimits { Protocols = protocols, RequestHeadersTimeout = TimeSpan.FromSeconds(2) }).Create(), clock);

    [Theory]
    [InlineData(HttpProtocols.Http1AndHttp2, "P")]
    [InlineData(HttpProtocols.Http1AndHttp2, "PRI * HTTP/2.0\r\n\r\nSM\r\n")]
    [InlineData(HttpProtocols.Http1, "P")]
    [InlineData(HttpProtocols.Http1, "PRI * HT")]
    public void A_stalled_preface_prefix_gets_408_at_the_request_headers_timeout(HttpProtocols protocols, string sent)
    {
        var clock = new FakeClock();
        var connection = Connect(clock, protocols);
        Assert.True(connection.Receive(Encoding.ASCII.GetBytes(sent)));
        Assert.Equal(clock.NowMs + 2000, connection.TimerDueMs);

        clock.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(connection.RunDueTimer());
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(connection.RunDueTimer());

        Assert.True(connection.IsClosed);
        Assert.StartsWith("HTTP/1.1 408 ", Encoding.ASCII.GetString(connection.TakeOutput()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(23)]
    public void A_preface_that_arrives_in_pieces_still_switches_to_HTTP2(int split)
    {
        var clock = new FakeClock();
        var connection = Connect(clock, HttpProtocols.Http1AndHttp2);
        byte[] start = [.. Encoding.ASCII.GetBytes(Preface), 0, 0, 0, 4, 0, 0, 0, 0, 0]; // preface and an empty SETTINGS
        Assert.True(connection.Receive(start.AsSpan(0, split)));
        Assert.Empty(connection.TakeOutput());
        Assert.True(connection.Receive(start.AsSpan(split)));

        byte[] output = connection.TakeOutput();
        Assert.False(connection.IsClosed);
        Assert.True(output.Length >= 9 && output[3] == 4, "no server SETTINGS: " + Convert.ToHexString(output)); // SETTINGS first (§3.4)
        Assert.Contains("Http2Connection", connection.Protocol.GetType().Name, StringComparison.Ordinal);
        Assert.Null(connection.TimerDueMs); // the request-headers timer went with HTTP/1.1; HTTP/2 had its SETTINGS
    }

    [Fact]
    public void A_P_that_becomes_a_request_is_served_and_the_timer_disarmed()
    {
        var clock = new FakeClock();
        var connection = Connect(clock, HttpProtocols.Http1AndHttp2);
        Assert.True(connection.Receive("P"u8));
        Assert.True(connection.Receive("UT / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"u8));
        Assert.EndsWith("ok", Encoding.ASCII.GetString(connection.TakeOutput()));
        Assert.Null(connection.TimerDueMs);
        Assert.False(connection.IsClosed);
    }
}
