using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Netloop.Http;
using Netloop.Protocols;
using Netloop.Protocols.Http1;
using Netloop.Protocols.Http2;
using Netloop.Tests.Support;
using Netloop.Transport.PerIp;

namespace Netloop.Tests.Protocols;

/// <summary>
/// The per-IP rate limit as the protocols answer it, in memory on a driven clock: HTTP/1.1 answers 429 with
/// Retry-After and keeps the connection until 16 refusals in a row; HTTP/2 answers the stream 429 and sends
/// GOAWAY(ENHANCE_YOUR_CALM) after 16; the application never sees a refused request.
/// </summary>
public sealed class PerIpRateLimitTests
{
    private static readonly byte[] Get = "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray();

    private int _handled;

    private HttpProtocolFactory Factory(ILogger? logger = null) => new(ctx =>
    {
        _handled++;
        ctx.Response.WriteText("hello");
        return ValueTask.CompletedTask;
    }, logger: logger);

    /// <summary>Two requests a second, a burst of two: the third request at once is refused for one second.</summary>
    private static (ClientAddressTable Table, AddressEntry Entry) Limits(FakeClock clock)
    {
        var table = new ClientAddressTable(0, 2, 2, 64, 100, TimeSpan.FromSeconds(10));
        return (table, table.TryAcquireConnection(AddressKey.From(IPAddress.Loopback, 64), clock.NowMs)!);
    }

    private static InMemoryConnection Http1Connection(HttpProtocolFactory factory, FakeClock clock)
    {
        var (table, entry) = Limits(clock);
        return new InMemoryConnection(factory.Create(), clock) { AddressTable = table, AddressEntry = entry };
    }

    [Fact]
    public void Http1_answers_429_with_Retry_After_past_the_budget_and_keeps_the_connection()
    {
        var clock = new FakeClock();
        var connection = Http1Connection(Factory(), clock);
        for (int i = 0; i < 2; i++)
        {
            connection.Receive(Get);
            Assert.StartsWith("HTTP/1.1 200 OK", Encoding.ASCII.GetString(connection.TakeOutput()));
        }
        connection.Receive(Get);
        string refused = Encoding.ASCII.GetString(connection.TakeOutput());
        Assert.StartsWith("HTTP/1.1 429 Too Many Requests", refused);
        Assert.Contains("\r\nRetry-After: 1\r\n", refused);
        Assert.DoesNotContain("Connection: close", refused);
        Assert.EndsWith("Too Many Requests\n", refused);
        Assert.False(connection.IsClosed);
        Assert.Equal(2, _handled);

        clock.Advance(TimeSpan.FromMilliseconds(500));
        connection.Receive(Get);
        Assert.StartsWith("HTTP/1.1 200 OK", Encoding.ASCII.GetString(connection.TakeOutput()));
        Assert.Equal(3, _handled);
    }

    [Fact]
    public void Http1_refused_requests_with_a_body_are_drained_and_the_next_request_is_read()
    {
        var clock = new FakeClock();
        var connection = Http1Connection(Factory(), clock);
        connection.Receive(Get);
        connection.Receive(Get);
        connection.TakeOutput();
        connection.Receive("POST /hello HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabcde"u8);
        Assert.StartsWith("HTTP/1.1 429", Encoding.ASCII.GetString(connection.TakeOutput()));
        clock.Advance(TimeSpan.FromSeconds(1));
        connection.Receive(Get);
        Assert.StartsWith("HTTP/1.1 200 OK", Encoding.ASCII.GetString(connection.TakeOutput()));
    }

    [Fact]
    public void Http1_closes_the_connection_with_the_sixteenth_refusal_in_a_row()
    {
        var clock = new FakeClock();
        var connection = Http1Connection(Factory(), clock);
        connection.Receive(Get);
        connection.Receive(Get);
        connection.TakeOutput();
        for (int i = 1; i < ClientAddressTable.RefusalsBeforeEnd; i++)
        {
            connection.Receive(Get);
            string refused = Encoding.ASCII.GetString(connection.TakeOutput());
            Assert.StartsWith("HTTP/1.1 429", refused);
            Assert.DoesNotContain("Connection: close", refused);
        }
        connection.Receive(Get);
        string last = Encoding.ASCII.GetString(connection.TakeOutput());
        Assert.StartsWith("HTTP/1.1 429", last);
        Assert.Contains("Connection: close", last);
        Assert.True(connection.IsClosed);
        Assert.Equal(2, _handled);
    }

    [Fact]
    public void Http1_without_a_per_IP_entry_is_never_limited()
    {
        var connection = new InMemoryConnection(Factory().Create());
        for (int i = 0; i < 50; i++) connection.Receive(Get);
        Assert.Equal(50, _handled);
    }

    [Fact]
    public void Http2_answers_the_stream_429_and_the_connection_goes_on()
    {
        var clock = new FakeClock();
        var (table, entry) = Limits(clock);
        var client = new Http2TestClient(Factory().Create(), clock);
        client.Connection.AddressTable = table;
        client.Connection.AddressEntry = entry;
        var ids = new int[3];
        for (int i = 0; i < 3; i++)
        {
            ids[i] = client.Request("GET", "/hello", endStream: true);
            client.Pump();
        }
        Assert.Equal(200, client.Responses[ids[0]].Status);
        Assert.Equal(200, client.Responses[ids[1]].Status);
        var refused = client.Responses[ids[2]];
        Assert.Equal(429, refused.Status);
        Assert.Equal("1", refused.Header("retry-after"));
        Assert.True(refused.Ended);
        Assert.Null(client.GoAway);
        Assert.Equal(2, _handled);

        clock.Advance(TimeSpan.FromSeconds(1));
        int after = client.Request("GET", "/hello", endStream: true);
        client.Pump();
        Assert.Equal(200, client.Responses[after].Status);
    }

    [Fact]
    public void Http2_sends_GOAWAY_ENHANCE_YOUR_CALM_after_sixteen_refused_streams_in_a_row_and_logs_it_once()
    {
        var clock = new FakeClock();
        var (table, entry) = Limits(clock);
        var logs = new CapturingLoggerFactory();
        var factory = Factory(logs.CreateLogger("test"));
        var client = new Http2TestClient(factory.Create(), clock);
        client.Connection.AddressTable = table;
        client.Connection.AddressEntry = entry;
        for (int i = 0; i < 2 + ClientAddressTable.RefusalsBeforeEnd; i++)
        {
            client.Request("GET", "/hello", endStream: true);
            client.Pump();
            if (client.GoAway is not null) break;
        }
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, client.GoAway);
        Assert.True(client.Connection.IsClosed);
        Assert.Equal(ClientAddressTable.RefusalsBeforeEnd, client.Responses.Values.Count(r => r.Status == 429));
        Assert.Equal(1, factory.Http2Counters.RateLimitGoAways);
        Assert.Equal(2, _handled);

        // A second abusive connection within the second: its GOAWAY is counted, not logged again.
        var second = new Http2TestClient(factory.Create(), clock);
        second.Connection.AddressTable = table;
        second.Connection.AddressEntry = entry;
        for (int i = 0; i < ClientAddressTable.RefusalsBeforeEnd && second.GoAway is null; i++)
        {
            second.Request("GET", "/hello", endStream: true);
            second.Pump();
        }
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, second.GoAway);
        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning).ToList();
        Assert.Single(warnings);
        Assert.Contains("request rate", warnings[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_h2c_upgraded_request_spends_the_budget_and_is_answered_429_on_stream_1()
    {
        var clock = new FakeClock();
        var factory = Factory();
        var connection = Http1Connection(factory, clock);
        connection.Receive(Get);
        connection.Receive(Get);
        connection.TakeOutput();

        // HTTP2-Settings "AAMAAABk": SETTINGS_MAX_CONCURRENT_STREAMS = 100.
        var client = Http2TestClient.Upgrade(connection,
            "GET /hello HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABk\r\n\r\n"u8,
            out string head);

        Assert.StartsWith("HTTP/1.1 101 Switching Protocols", head);
        var refused = client.Responses[1];
        Assert.Equal(429, refused.Status);
        Assert.Equal("1", refused.Header("retry-after"));
        Assert.True(refused.Ended);
        Assert.Null(client.GoAway);
        Assert.Equal(2, _handled);
        Assert.Equal(1, factory.Http2Counters.RateLimitedStreams);

        // The budget refills: the next stream on the upgraded connection is served.
        clock.Advance(TimeSpan.FromSeconds(1));
        int after = client.Request("GET", "/hello", endStream: true);
        client.Pump();
        Assert.Equal(200, client.Responses[after].Status);
        Assert.Equal(3, _handled);
    }

    [Fact]
    public void An_h2c_upgraded_request_within_the_budget_is_served()
    {
        var clock = new FakeClock();
        var connection = Http1Connection(Factory(), clock);
        var client = Http2TestClient.Upgrade(connection,
            "GET /hello HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABk\r\n\r\n"u8,
            out string head);
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols", head);
        Assert.Equal(200, client.Responses[1].Status);
        Assert.Equal("hello", client.Responses[1].Text);
        Assert.Null(client.GoAway);
        Assert.Equal(1, _handled);
    }
}
