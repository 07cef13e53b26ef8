using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Netloop.Baselines;
using Netloop.Http;
using Netloop.Load.Results;
using Netloop.Load.Runner;
using Netloop.Load.Targets;
using Netloop.Protocols.Http1;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Load.Runner;

/// <summary>
/// <see cref="LoadRunner"/> end to end against the in-process server. Runs are bounded by request counts rather than
/// time wherever possible, so nothing here depends on how fast the machine is; every wait is bounded.
/// </summary>
public sealed class LoadRunnerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>What the HTTP test app saw.</summary>
    private sealed class Observed
    {
        public int CloseRequests;
        public ConcurrentDictionary<string, int> RemoteAddresses { get; } = new();
    }

    private static HttpProtocolFactory App(Observed observed) => new(context =>
    {
        if (string.Equals(context.Request.Headers["Connection"], "close", StringComparison.OrdinalIgnoreCase)) Interlocked.Increment(ref observed.CloseRequests);
        if (context.Request.RemoteEndPoint is { } remote) observed.RemoteAddresses.AddOrUpdate(remote.Address.ToString(), 1, (_, n) => n + 1);
        switch (context.Request.Path)
        {
            case "/plaintext":
                context.Response.WriteText("Hello, World!");
                return ValueTask.CompletedTask;
            case "/big":
                // Over the streaming threshold: sent chunked.
                context.Response.Write(new byte[HttpResponse.StreamingThreshold + 1000]);
                return ValueTask.CompletedTask;
            case "/slow":
                return Slow(context);
            default:
                context.Response.StatusCode = 404;
                return ValueTask.CompletedTask;
        }
    });

    private static async ValueTask Slow(HttpContext context)
    {
        await Task.Delay(TimeSpan.FromSeconds(2));
        context.Response.WriteText("late");
    }

    private static LoadOptions Options(IPEndPoint endPoint, string path = "/plaintext") => new()
    {
        Target = LoadTarget.Parse(path is null ? $"tcp://{endPoint}" : $"http://{endPoint}{path}"),
        Connections = 8,
        Duration = null,
        Requests = 2000,
    };

    private static async Task<(LoadResult Result, LoadRunner Runner)> RunAsync(LoadOptions options, Action<LoadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var runner = new LoadRunner(options) { Progress = progress };
        var result = await runner.RunAsync(cancellationToken).WaitAsync(Bound, CancellationToken.None);
        Assert.Equal(0, runner.ClientBuffersOutstanding);
        return (result, runner);
    }

    private static void AssertNoErrors(LoadResult result) => Assert.True(result.Errors.Total == 0, $"errors: {result.Errors}");

    [Fact]
    public async Task Http_keep_alive_makes_exactly_the_requests_asked_for_on_the_same_connections()
    {
        var observed = new Observed();
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: App(observed));

        var (result, _) = await RunAsync(Options(server.EndPoint));

        AssertNoErrors(result);
        Assert.Equal(2000, result.Requests);
        Assert.Equal(8, result.ConnectionsOpened);
        Assert.Equal("http", result.Protocol);
        Assert.Equal(0, observed.CloseRequests);
        Assert.True(result.BytesReceived > 2000 * "Hello, World!".Length);
        Assert.True(result.DurationSeconds > 0);
        Assert.True(result.RequestsPerSecond > 0);
        Assert.True(result.Latency.P50Us > 0 && result.Latency.P50Us <= result.Latency.P99Us && result.Latency.P99Us <= result.Latency.MaxUs);
    }

    [Fact]
    public async Task The_client_loop_allocates_nothing_per_request()
    {
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: App(new Observed()));

        var (small, smallRunner) = await RunAsync(Options(server.EndPoint) with { Connections = 4, Requests = 1_000 });
        var (large, runner) = await RunAsync(Options(server.EndPoint) with { Connections = 4, Requests = 50_000 });

        AssertNoErrors(small);
        AssertNoErrors(large);
        // Setting up (the loop, connections, posted work) allocates the same in both runs; 49,000 more requests must not
        // add as much as a byte each.
        long extra = runner.ClientAllocatedBytes - smallRunner.ClientAllocatedBytes;
        Assert.True(extra < 49_000, $"{smallRunner.ClientAllocatedBytes} bytes for {small.Requests} requests, {runner.ClientAllocatedBytes} for {large.Requests}");
    }

    [Fact]
    public async Task Http_pipelined_requests_are_all_answered_and_verified()
    {
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: App(new Observed()));

        var (result, _) = await RunAsync(Options(server.EndPoint) with { Connections = 4, Pipeline = 16, Requests = 5000 });

        AssertNoErrors(result);
        Assert.Equal(5000, result.Requests);
        Assert.Equal(16, result.Pipeline);
    }

    [Fact]
    public async Task Churn_closes_each_connection_after_its_last_request_which_carries_connection_close()
    {
        var observed = new Observed();
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: App(observed));

        var (result, _) = await RunAsync(Options(server.EndPoint) with { Connections = 4, RequestsPerConnection = 5, Requests = 500 });

        AssertNoErrors(result);
        Assert.Equal(500, result.Requests);
        // Each connection makes 5 requests; the budget may run out part-way through the last few.
        Assert.InRange(result.ConnectionsOpened, 100, 104);
        Assert.InRange(observed.CloseRequests, 96, 100);
        Assert.Equal(0, result.ConnectionsClosedByServer);
    }

    [Fact]
    public async Task Chunked_responses_from_a_real_server_are_framed_exactly()
    {
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: App(new Observed()));

        var (result, _) = await RunAsync(Options(server.EndPoint, "/big") with { Connections = 2, Pipeline = 2, Requests = 50 });

        AssertNoErrors(result);
        Assert.Equal(50, result.Requests);
        Assert.True(result.BytesReceived > 50L * (HttpResponse.StreamingThreshold + 1000));
    }

    [Fact]
    public async Task A_status_other_than_the_expected_one_is_a_bad_status()
    {
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: App(new Observed()));

        var (missing, _) = await RunAsync(Options(server.EndPoint, "/missing") with { Requests = 100 });
        var (expected, _) = await RunAsync(Options(server.EndPoint, "/missing") with { Requests = 100, ExpectStatus = 404 });

        Assert.Equal(0, missing.Requests);
        Assert.Equal(100, missing.Errors.BadStatus);
        Assert.Equal(100, missing.Errors.Total);
        AssertNoErrors(expected);
        Assert.Equal(100, expected.Requests);
    }

    [Fact]
    public async Task A_response_slower_than_the_timeout_is_a_timeout()
    {
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: App(new Observed()));

        var (result, _) = await RunAsync(Options(server.EndPoint, "/slow") with { Connections = 1, Requests = 2, Timeout = TimeSpan.FromMilliseconds(200) });

        Assert.Equal(0, result.Requests);
        Assert.Equal(2, result.Errors.Timeout);
        Assert.Equal(2, result.ConnectionsOpened); // the timed-out connection is replaced
    }

    [Fact]
    public async Task Echo_messages_of_4096_bytes_come_back_verified()
    {
        await using var server = TestServer.Start(ServerMode.Epoll);

        var (result, _) = await RunAsync(Options(server.EndPoint, null!) with { PayloadBytes = 4096, Requests = 2000, Pipeline = 2 });

        AssertNoErrors(result);
        Assert.Equal("echo", result.Protocol);
        Assert.Equal(2000, result.Requests);
        Assert.Equal(4096, result.PayloadBytes);
        Assert.Equal(2000L * 4096, result.BytesReceived);
        Assert.Equal(2000L * 4096, result.BytesSent);
    }

    [Fact]
    public async Task Several_loops_share_the_connections_and_the_request_budget()
    {
        await using var server = TestServer.Start(ServerMode.Epoll);

        var (result, _) = await RunAsync(Options(server.EndPoint, null!) with { Loops = 3, Connections = 6, PayloadBytes = 100, Requests = 1001 });

        AssertNoErrors(result);
        Assert.Equal(1001, result.Requests);
        Assert.Equal(3, result.Loops);
        Assert.Equal(6, result.ConnectionsOpened);
    }

    [Fact]
    public async Task Open_loop_runs_at_the_rate_and_completes_its_requests()
    {
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: App(new Observed()));

        var (result, _) = await RunAsync(Options(server.EndPoint) with { Connections = 4, Rate = 400, Requests = 100 });

        AssertNoErrors(result);
        Assert.Equal(100, result.Requests);
        Assert.Equal(400, result.Rate);
        // 100 requests at 400/s take at least ~0.24 s whatever the server's speed (the first of each connection goes at once).
        Assert.True(result.DurationSeconds >= 0.2, $"{result.DurationSeconds} s");
    }

    [Fact]
    public async Task Connections_spread_round_robin_over_the_source_addresses()
    {
        var observed = new Observed();
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: App(observed));
        Assert.True(SourceAddresses.TryParse("127.0.0.1-127.0.0.3", out var sources, out _));

        var (result, _) = await RunAsync(Options(server.EndPoint) with { Connections = 6, Requests = 600, SourceAddresses = sources });

        AssertNoErrors(result);
        Assert.Equal(["127.0.0.1", "127.0.0.2", "127.0.0.3"], observed.RemoteAddresses.Keys.Order());
    }

    [Fact]
    public async Task Idle_mode_opens_every_connection_makes_one_request_each_and_holds_them()
    {
        await using var server = TestServer.Start(ServerMode.Epoll);

        var (result, _) = await RunAsync(Options(server.EndPoint, null!) with { Connections = 50, Requests = 0, Duration = TimeSpan.FromSeconds(2), Idle = true, PayloadBytes = 64 });

        AssertNoErrors(result);
        Assert.True(result.Idle);
        Assert.Equal(50, result.Requests);
        Assert.Equal(50, result.ConnectionsOpened);
        Assert.Equal(50, result.ConnectionsOpenAtEnd);
        Assert.Equal(0, result.ConnectionsClosedByServer);
        Assert.Equal(2, result.DurationSeconds, 3);
    }

    [Fact]
    public async Task A_target_nobody_listens_on_fails_at_once_with_one_line()
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        var runner = new LoadRunner(Options(new IPEndPoint(IPAddress.Loopback, port)) with { Duration = TimeSpan.FromMinutes(10) });

        var e = await Assert.ThrowsAsync<LoadException>(() => runner.RunAsync().WaitAsync(Bound));

        Assert.Equal($"connection refused to 127.0.0.1:{port} (is the server running?)", e.Message);
        Assert.Equal(0, runner.ClientBuffersOutstanding);
    }

    [Fact]
    public async Task Cancelling_ends_the_run_early_with_what_it_measured()
    {
        await using var server = TestServer.Start(ServerMode.Epoll);
        using var cancel = new CancellationTokenSource();
        var progress = new List<LoadProgress>();

        var options = Options(server.EndPoint, null!) with { Connections = 2, Requests = 0, Duration = TimeSpan.FromMinutes(10), ProgressInterval = TimeSpan.FromMilliseconds(50) };
        var (result, _) = await RunAsync(options, p =>
        {
            progress.Add(p);
            if (progress.Count == 3) cancel.Cancel();
        }, cancel.Token);

        Assert.True(result.DurationSeconds < 600);
        Assert.True(result.Requests > 0);
        AssertNoErrors(result);
        Assert.Equal(3, progress.Count);
        Assert.True(progress[^1].Elapsed > TimeSpan.Zero);
        Assert.Equal(2, progress[^1].OpenConnections);
        Assert.Equal(TimeSpan.FromMinutes(10), progress[^1].Duration);
    }

    [Fact]
    public async Task Monitor_pid_puts_the_server_summary_in_the_result()
    {
        await using var server = TestServer.Start(ServerMode.Epoll);

        var (result, _) = await RunAsync(Options(server.EndPoint, null!) with { Requests = 200, MonitorPid = Environment.ProcessId });

        Assert.NotNull(result.Monitor);
        Assert.Equal(Environment.ProcessId, result.Monitor.Pid);
        Assert.True(result.Monitor.RssPeakBytes > 0);
    }

    [Fact]
    public async Task Options_that_cannot_run_are_refused_before_anything_starts()
    {
        var target = LoadTarget.Parse("tcp://127.0.0.1:9");
        var bad = new LoadOptions[]
        {
            new() { Target = target, Connections = 0 },
            new() { Target = target, Connections = 2, Loops = 3 },
            new() { Target = target, Duration = null },
            new() { Target = target, Idle = true, Requests = 5 },
            new() { Target = target, Idle = true, IdleBatch = 0 },
            new() { Target = target, Pipeline = 0 },
            new() { Target = target, Headers = ["X-A: 1"] },
            new() { Target = LoadTarget.Parse("http://127.0.0.1:9/"), Headers = ["bad header"] },
            new() { Target = target, SourceAddresses = [IPAddress.IPv6Loopback] },
            new() { Target = target, MonitorPid = int.MaxValue },
        };
        foreach (var options in bad)
        {
            await Assert.ThrowsAsync<ArgumentException>(() => new LoadRunner(options).RunAsync().WaitAsync(Bound));
        }
    }
}
