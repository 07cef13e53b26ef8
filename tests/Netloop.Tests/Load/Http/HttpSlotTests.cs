using System.Text;
using HdrHistogram;
using Netloop.Client;
using Netloop.Load.Stats;
using Netloop.Protocols;
using Netloop.Transport;

namespace Netloop.Tests.Load.Http;

/// <summary>The HTTP connection slot driven in memory: what it sends, what it counts, when it closes and reconnects.</summary>
public sealed class HttpSlotTests
{
    private const string Request = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
    private const string CloseRequest = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n";
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!";

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    private static string Sent(InMemoryConnection connection) => Encoding.Latin1.GetString(connection.TakeOutput());

    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));

    [Fact]
    public void Sends_on_connect_and_the_next_request_after_each_verified_response()
    {
        var h = new LoadHarness(LoadHarness.Http());
        var connection = h.Connect();
        Assert.Equal(Request, Sent(connection));

        Assert.True(connection.Receive(Bytes(Ok)));

        Assert.Equal(Request, Sent(connection));
        Assert.Equal(1, h.Worker.Stats.Requests);
        Assert.Equal(1, h.Worker.Stats.Latency.TotalCount);
        Assert.Equal(Ok.Length, h.Worker.Stats.BytesReceived);
        Assert.Equal(2 * Request.Length, h.Worker.Stats.BytesSent);
        Assert.Equal(1, h.Worker.Stats.ConnectionsOpened);
        Assert.Equal(1, h.Worker.Stats.OpenConnections);
        Assert.Equal(0, h.Worker.Stats.ErrorTotal);
    }

    [Fact]
    public void Pipelined_responses_are_matched_in_every_split()
    {
        string responses = Ok + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n" + Ok + "HTTP/1.1 204 No Content\r\n\r\n";
        var wire = Bytes(responses);
        for (int cut = 0; cut <= wire.Length; cut++)
        {
            var h = new LoadHarness(LoadHarness.Http() with { Pipeline = 4 });
            var connection = h.Connect();
            Assert.Equal(Repeat(Request, 4), Sent(connection));

            connection.Receive(wire.AsSpan(0, cut));
            connection.Receive(wire.AsSpan(cut));

            Assert.Equal(4, h.Worker.Stats.Requests);
            Assert.Equal(0, h.Worker.Stats.ErrorTotal);
            Assert.Equal(Repeat(Request, 4), Sent(connection)); // one new request per response
            Assert.Equal(0, connection.UnconsumedBytes);
            Assert.Equal(4, h.Slot.InFlight);
        }
    }

    [Fact]
    public void Responses_byte_by_byte_are_matched()
    {
        var h = new LoadHarness(LoadHarness.Http() with { Pipeline = 2 });
        var connection = h.Connect();
        Sent(connection);
        foreach (byte b in Bytes(Ok + Ok)) Assert.True(connection.Receive([b]));
        Assert.Equal(2, h.Worker.Stats.Requests);
        Assert.Equal(0, h.Worker.Stats.ErrorTotal);
    }

    [Fact]
    public void A_status_outside_2xx_is_a_bad_status_and_the_connection_carries_on()
    {
        var h = new LoadHarness(LoadHarness.Http());
        var connection = h.Connect();
        Sent(connection);

        connection.Receive(Bytes("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"));

        Assert.Equal(0, h.Worker.Stats.Requests);
        Assert.Equal(1, h.Worker.Stats.Errors(ErrorKind.BadStatus));
        Assert.False(connection.IsClosed);
        Assert.Equal(Request, Sent(connection));
    }

    [Fact]
    public void Expect_status_accepts_exactly_that_status()
    {
        var h = new LoadHarness(LoadHarness.Http("/nope") with { ExpectStatus = 404, Pipeline = 2 });
        var connection = h.Connect();
        connection.Receive(Bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n" + Ok));
        Assert.Equal(1, h.Worker.Stats.Requests);
        Assert.Equal(1, h.Worker.Stats.Errors(ErrorKind.BadStatus));
    }

    [Fact]
    public void A_malformed_response_is_corrupt_and_costs_the_connection_which_is_replaced()
    {
        var h = new LoadHarness(LoadHarness.Http());
        var connection = h.Connect();

        connection.Receive(Bytes("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"));

        Assert.Equal(1, h.Worker.Stats.Errors(ErrorKind.Corrupt));
        Assert.True(connection.WasAborted);
        Assert.Equal(0, h.Worker.Stats.OpenConnections);
        Assert.Empty(h.Connector.Connects);
        h.Connector.RunPosted(); // the reconnect is posted, never made inside the closing connection's callback
        Assert.Single(h.Connector.Connects);
    }

    [Fact]
    public void Bytes_with_no_request_in_flight_are_corrupt()
    {
        var h = new LoadHarness(LoadHarness.Http() with { Idle = true });
        var connection = h.Connect();
        connection.Receive(Bytes(Ok));
        Assert.Equal(1, h.Worker.Stats.Requests);

        connection.Receive(Bytes(Ok));

        Assert.Equal(1, h.Worker.Stats.Errors(ErrorKind.Corrupt));
        Assert.True(connection.WasAborted);
    }

    [Fact]
    public void Churn_sends_connection_close_on_the_last_request_then_closes_and_reconnects()
    {
        var h = new LoadHarness(LoadHarness.Http() with { RequestsPerConnection = 3, Pipeline = 2 });
        var connection = h.Connect();
        Assert.Equal(Request + Request, Sent(connection));

        connection.Receive(Bytes(Ok));
        Assert.Equal(CloseRequest, Sent(connection));
        connection.Receive(Bytes(Ok));
        Assert.Equal("", Sent(connection));
        Assert.False(connection.IsClosed);
        connection.Receive(Bytes(Ok.Replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n", StringComparison.Ordinal)));

        Assert.True(connection.IsClosed);
        Assert.False(connection.WasAborted);
        Assert.Equal(3, h.Worker.Stats.Requests);
        Assert.Equal(0, h.Worker.Stats.ErrorTotal);
        Assert.Equal(0, h.Worker.Stats.ClosedByServer);
        h.Connector.RunPosted();
        var next = h.Accept();
        Assert.Equal(Request + Request, Sent(next));
        Assert.Equal(2, h.Worker.Stats.ConnectionsOpened);
    }

    [Fact]
    public void A_server_that_announces_close_loses_the_pipelined_requests_without_an_error()
    {
        var h = new LoadHarness(LoadHarness.Http() with { Pipeline = 3 });
        var connection = h.Connect();
        Sent(connection);

        connection.Receive(Bytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));

        Assert.True(connection.IsClosed);
        Assert.Equal(1, h.Worker.Stats.Requests);
        Assert.Equal(0, h.Worker.Stats.ErrorTotal);
        Assert.Equal(0, h.Slot.InFlight);
        h.Connector.RunPosted();
        Assert.Single(h.Connector.Connects);
    }

    [Fact]
    public void A_response_late_past_the_timeout_is_a_timeout_and_the_connection_is_replaced()
    {
        var h = new LoadHarness(LoadHarness.Http() with { Timeout = TimeSpan.FromSeconds(5) });
        var connection = h.Connect();
        Assert.Equal(TimeSpan.FromSeconds(5), connection.TimerDueIn);

        h.Advance(TimeSpan.FromSeconds(2));
        connection.FireTimer(); // early (as a coarse timer wheel may be): nothing is due yet
        Assert.Equal(0, h.Worker.Stats.ErrorTotal);
        Assert.False(connection.IsClosed);
        Assert.Equal(TimeSpan.FromSeconds(3), connection.TimerDueIn);

        h.Advance(TimeSpan.FromSeconds(3));
        connection.FireTimer();

        Assert.Equal(1, h.Worker.Stats.Errors(ErrorKind.Timeout));
        Assert.True(connection.WasAborted);
        h.Connector.RunPosted();
        Assert.Single(h.Connector.Connects);
    }

    [Fact]
    public void Responses_in_time_never_move_the_timer()
    {
        var h = new LoadHarness(LoadHarness.Http() with { Timeout = TimeSpan.FromSeconds(5) });
        var connection = h.Connect();
        connection.SetTimer(null); // a marker: any re-arm would show
        for (int i = 0; i < 10; i++)
        {
            h.Advance(TimeSpan.FromMilliseconds(1));
            connection.Receive(Bytes(Ok));
        }
        Assert.Null(connection.TimerDueIn);
        Assert.Equal(10, h.Worker.Stats.Requests);
    }

    [Fact]
    public void The_server_closing_with_a_request_in_flight_is_a_short_read()
    {
        var h = new LoadHarness(LoadHarness.Http());
        var connection = h.Connect();
        connection.Receive(Bytes(Ok[..20]));

        connection.CompleteInput();

        Assert.True(connection.IsClosed);
        Assert.Equal(1, h.Worker.Stats.Errors(ErrorKind.ShortRead));
        h.Connector.RunPosted();
        Assert.Single(h.Connector.Connects);
    }

    [Fact]
    public void The_server_closing_an_idle_keep_alive_connection_is_counted_but_not_an_error()
    {
        var h = new LoadHarness(LoadHarness.Http() with { Idle = true });
        var connection = h.Connect();
        connection.Receive(Bytes(Ok));

        connection.CompleteInput();

        Assert.Equal(0, h.Worker.Stats.ErrorTotal);
        Assert.Equal(1, h.Worker.Stats.ClosedByServer);
        h.Connector.RunPosted();
        Assert.Empty(h.Connector.Connects); // --idle holds what it opened; a lost connection is reported, not replaced
    }

    [Fact]
    public void A_body_that_runs_to_the_close_completes_at_the_close()
    {
        var h = new LoadHarness(LoadHarness.Http());
        var connection = h.Connect();
        connection.Receive(Bytes("HTTP/1.1 200 OK\r\n\r\nsome body"));
        Assert.Equal(0, h.Worker.Stats.Requests);

        connection.CompleteInput();

        Assert.Equal(1, h.Worker.Stats.Requests);
        Assert.Equal(0, h.Worker.Stats.ErrorTotal);
    }

    [Fact]
    public void A_request_budget_sends_exactly_that_many_and_then_reports_done()
    {
        var h = new LoadHarness(LoadHarness.Http() with { Requests = 5, Duration = null, Pipeline = 2 });
        var connection = h.Connect();
        int sent = 0;
        for (int i = 0; i < 10 && h.Worker.DoneTicks == 0; i++)
        {
            sent += Sent(connection).Split("GET ").Length - 1;
            connection.Receive(Bytes(Ok));
        }
        Assert.Equal(5, sent + (Sent(connection).Split("GET ").Length - 1));
        Assert.Equal(5, h.Worker.Stats.Requests);
        Assert.NotEqual(0, h.Worker.DoneTicks);
        Assert.False(h.Worker.HasBudget);
    }

    [Fact]
    public void Idle_mode_makes_one_request_and_then_stays_silent()
    {
        var h = new LoadHarness(LoadHarness.Http() with { Idle = true, Pipeline = 4 });
        var connection = h.Connect();
        Assert.Equal(Request, Sent(connection));
        connection.Receive(Bytes(Ok));
        h.Advance(TimeSpan.FromMinutes(1));
        connection.FireTimer();
        Assert.Equal("", Sent(connection));
        Assert.Equal(1, h.Worker.Stats.Requests);
        Assert.False(connection.IsClosed);
    }

    [Fact]
    public void Idle_mode_opens_connections_a_batch_at_a_time_the_next_as_one_is_answered()
    {
        var h = new LoadHarness(LoadHarness.Http() with { Idle = true, Connections = 5, IdleBatch = 2 }, slots: 5);
        h.Worker.Begin();
        Assert.Equal(2, h.Connector.Connects.Count);
        var open = new List<InMemoryConnection> { h.Accept(), h.Accept() };
        h.Connector.RunPosted();
        Assert.Empty(h.Connector.Connects); // both wait for their answer: no third connection yet

        for (int answered = 0; answered < 5; answered++)
        {
            var connection = open[answered];
            Assert.Equal(Request, Sent(connection));
            connection.Receive(Bytes(Ok));
            h.Connector.RunPosted();
            int expected = answered + 2 < 5 ? 1 : 0; // the next slot opens, until every slot has been started
            Assert.Equal(expected, h.Connector.Connects.Count);
            if (expected == 1) open.Add(h.Accept());
        }
        Assert.Equal(5, h.Worker.Stats.Requests);
        Assert.All(open, c => Assert.False(c.IsClosed));
    }

    [Fact]
    public void Responses_after_the_deadline_are_not_counted_and_nothing_more_is_sent()
    {
        var h = new LoadHarness(LoadHarness.Http() with { Duration = TimeSpan.FromSeconds(1) });
        var connection = h.Connect();
        Sent(connection);
        connection.Receive(Bytes(Ok));
        Sent(connection);

        h.Advance(TimeSpan.FromSeconds(1));
        connection.Receive(Bytes(Ok));

        Assert.Equal(1, h.Worker.Stats.Requests);
        Assert.Equal("", Sent(connection));
        Assert.True(h.Worker.IsStopping);
    }

    [Fact]
    public void Open_loop_sends_on_schedule_and_charges_a_stall_to_every_request_it_delayed()
    {
        // 10 requests/s on one connection: one every 100 ms.
        var h = new LoadHarness(LoadHarness.Http() with { Rate = 10 });
        var connection = h.Connect();
        Assert.Equal(Request, Sent(connection));
        h.Advance(TimeSpan.FromMilliseconds(1));
        connection.Receive(Bytes(Ok));
        Assert.Equal("", Sent(connection)); // the next one is not due yet
        Assert.Equal(TimeSpan.FromMilliseconds(99), connection.TimerDueIn);

        h.Advance(TimeSpan.FromMilliseconds(99));
        connection.FireTimer();
        Assert.Equal(Request, Sent(connection)); // sent at its intended time, t = 100 ms

        // The server stalls for 350 ms: the requests due at 200, 300 and 400 ms cannot go out (one in flight at a time).
        h.Advance(TimeSpan.FromMilliseconds(350));
        connection.FireTimer();
        Assert.Equal("", Sent(connection));
        connection.Receive(Bytes(Ok)); // t = 450 ms: 350 ms after its intended time
        Assert.Equal(Request, Sent(connection)); // the one due at 200 ms goes at once
        connection.Receive(Bytes(Ok)); // answered at once, yet 250 ms after its intended time
        Assert.Equal(Request, Sent(connection));
        connection.Receive(Bytes(Ok)); // 150 ms late
        Assert.Equal(Request, Sent(connection));
        connection.Receive(Bytes(Ok)); // 50 ms late, and now the schedule is ahead again
        Assert.Equal("", Sent(connection));

        var latency = h.Worker.Stats.Latency;
        Assert.Equal(5, latency.TotalCount);
        // Sorted: 1, 50, 150, 250, 350 ms.
        Assert.InRange(latency.GetValueAtPercentile(20), 900, 1_100);
        Assert.InRange(latency.GetValueAtPercentile(40), 49_000, 51_000);
        Assert.InRange(latency.GetValueAtPercentile(60), 149_000, 151_000);
        Assert.InRange(latency.GetValueAtPercentile(80), 249_000, 251_000);
        Assert.InRange(latency.GetMaxValue(), 349_000, 351_000);
    }

    [Fact]
    public void A_refused_first_connect_is_counted_and_retried_on_the_runners_tick()
    {
        var h = new LoadHarness(LoadHarness.Http());
        h.Worker.Begin();
        IClientProtocol slot = h.Connector.Connects[0];
        h.Connector.Connects.Clear();

        slot.OnConnectFailed(ConnectError.Refused);
        slot.OnConnectFailed(ConnectError.Refused); // (a second failure is not a first attempt)

        Assert.Equal(2, h.Worker.Stats.Errors(ErrorKind.ConnectRefused));
        Assert.Equal(1, h.Worker.FirstAttemptFailures);
        Assert.Equal(ConnectError.Refused, h.Worker.FirstFailure);
        Assert.Equal(0, h.Connector.RunPosted());
        h.Worker.PostRetry();
        h.Connector.RunPosted();
        Assert.Single(h.Connector.Connects);
    }

    [Fact]
    public void Shutdown_closes_without_errors_or_reconnects()
    {
        var h = new LoadHarness(LoadHarness.Http());
        var connection = h.Connect();
        IConnectionProtocol slot = h.Slot;

        slot.OnClosed(connection, CloseReason.Shutdown);

        Assert.Equal(0, h.Worker.Stats.ErrorTotal);
        Assert.Equal(0, h.Worker.Stats.OpenConnections);
        Assert.Equal(0, h.Connector.RunPosted());
    }

    [Fact]
    public void The_request_response_cycle_allocates_nothing()
    {
        var h = new LoadHarness(LoadHarness.Http() with { Pipeline = 2, Timeout = TimeSpan.FromSeconds(5) });
        h.Worker.Begin();
        IConnectionProtocol slot = h.Connector.Connects[0];
        var connection = new ReusableConnection();
        var responses = Bytes(Ok + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
        slot.OnConnected(connection);
        for (int i = 0; i < 2_000; i++) // warm-up: JIT tiers, statics
        {
            connection.Reset();
            Assert.Equal(responses.Length, slot.OnReceived(connection, responses));
        }

        // Three rounds, the least counts: a per-request allocation shows in every round, while a one-off of the runtime's
        // (a method tiering up mid-round while other tests keep the JIT busy) shows in one at most.
        long least = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10_000; i++)
            {
                connection.Reset();
                slot.OnReceived(connection, responses);
            }
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
        Assert.Equal(2 * 32_000, h.Worker.Stats.Requests);
        Assert.Equal(2 * Request.Length, connection.Written);
    }
}
