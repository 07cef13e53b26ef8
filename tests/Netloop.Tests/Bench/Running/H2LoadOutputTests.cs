using Netloop.Bench.Cases;
using Netloop.Bench.Running;

namespace Netloop.Tests.Bench.Running;

/// <summary>h2load's text summary as the bench reads it, from real outputs of nghttp2 1.52 (clean, failing, empty).</summary>
public sealed class H2LoadOutputTests
{
    private const string Clean = """
        starting benchmark...
        spawning thread #0: 100 total client(s). Timing-based test with 0s of warm-up time and 2s of main duration for measurements.
        Warm-up started for thread #0.
        progress: 10% of clients started
        progress: 100% of clients started
        Warm-up phase is over for thread #0.
        Main benchmark duration is started for thread #0.
        Application protocol: h2c
        Main benchmark duration is over for thread #0. Stopping all clients.
        Stopped all clients for thread #0

        finished in 2.01s, 133505.00 req/s, 5.09MB/s
        requests: 267010 total, 268010 started, 267010 done, 267010 succeeded, 0 failed, 0 errored, 0 timeout
        status codes: 267010 2xx, 0 3xx, 0 4xx, 0 5xx
        traffic: 10.19MB (10680561) total, 2.29MB (2403184) headers (space savings 91.74%), 3.31MB (3471130) data
                             min         max         mean         sd        +/- sd
        time for request:       29us     52.71ms        63us       361us    99.52%
        time for connect:      238us     13.61ms      9.29ms      3.57ms    77.00%
        time to 1st byte:    64.88ms     64.88ms     64.88ms         0us   100.00%
        req/s           :       0.00   133239.97     1332.40    13324.00    99.00%
        """;

    // Against a server that speaks HTTP/1.1 only: every stream errored.
    private const string Errored = """
        Application protocol: h2c
        Process Request Failure:2
        Process Request Failure:13

        finished in 6.18ms, 0.00 req/s, 16.43KB/s
        requests: 100 total, 40 started, 40 done, 0 succeeded, 100 failed, 100 errored, 0 timeout
        status codes: 0 2xx, 0 3xx, 0 4xx, 0 5xx
        traffic: 104B (104) total, 0B (0) headers (space savings 0.00%), 0B (0) data
                             min         max         mean         sd        +/- sd
        time for request:        0us         0us         0us         0us     0.00%
        """;

    // Nothing listening: no connection, no request, and no failure counted either.
    private const string NothingListening = """
        finished in 1.00s, 0.00 req/s, 0B/s
        requests: 0 total, 0 started, 0 done, 0 succeeded, 0 failed, 0 errored, 0 timeout
        status codes: 0 2xx, 0 3xx, 0 4xx, 0 5xx
        traffic: 0B (0) total, 0B (0) headers (space savings 0.00%), 0B (0) data
        """;

    // A wrong path: h2load counts 404s as succeeded.
    private const string NotFound = """
        finished in 1.00s, 5000.00 req/s, 1.00MB/s
        requests: 5000 total, 5000 started, 5000 done, 5000 succeeded, 0 failed, 0 errored, 0 timeout
        status codes: 4990 2xx, 0 3xx, 10 4xx, 0 5xx
        traffic: 1.00MB (1000000) total, 100KB (100000) headers (space savings 90.00%), 65KB (65000) data
        """;

    [Fact]
    public void A_clean_run_gives_requests_per_second_counts_traffic_and_mean_and_no_problem()
    {
        var result = H2LoadOutput.Parse(Clean, out string? error);

        Assert.Null(error);
        Assert.NotNull(result);
        Assert.Equal(2.01, result.DurationSeconds, 6);
        Assert.Equal(133505.00, result.RequestsPerSecond, 6);
        Assert.Equal(267010, result.Total);
        Assert.Equal(267010, result.Succeeded);
        Assert.Equal(0, result.Failed + result.Errored + result.TimedOut);
        Assert.Equal(267010, result.Status2xx);
        Assert.Equal(10680561, result.TrafficBytes);
        Assert.Equal(63, result.MeanRequestMicroseconds!.Value, 6);
        Assert.Null(result.Problem);
    }

    [Fact]
    public void Failed_or_errored_requests_make_the_round_a_failure_that_says_how_many()
    {
        var result = H2LoadOutput.Parse(Errored, out _);

        Assert.NotNull(result);
        Assert.Equal(0.00618, result.DurationSeconds, 9);
        Assert.Equal(100, result.Failed);
        Assert.Equal(100, result.Errored);
        Assert.Equal("h2load: 100 failed, 100 errored, 0 timeout of 100 requests", result.Problem);
    }

    [Fact]
    public void A_run_where_nothing_succeeded_is_a_failure_even_without_a_failed_request()
    {
        var result = H2LoadOutput.Parse(NothingListening, out _);

        Assert.NotNull(result);
        Assert.Null(result.MeanRequestMicroseconds);
        Assert.Equal("h2load: no request succeeded", result.Problem);
    }

    [Fact]
    public void Answers_other_than_2xx_are_a_failure_though_h2load_counts_them_as_succeeded()
    {
        var result = H2LoadOutput.Parse(NotFound, out _);

        Assert.NotNull(result);
        Assert.Equal(5000, result.Succeeded);
        Assert.Equal("h2load: answers not 2xx: 0 3xx, 10 4xx, 0 5xx", result.Problem);
    }

    [Theory]
    [InlineData("", "no 'finished in' line")]
    [InlineData("h2load: unrecognized option '--bogus'", "no 'finished in' line")]
    [InlineData("finished in 1.00s, 10.00 req/s, 1KB/s\n", "no 'requests:' line")]
    public void Output_without_the_summary_is_a_reason_not_an_exception(string stdout, string reason)
    {
        Assert.Null(H2LoadOutput.Parse(stdout, out string? error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_h2load_command_is_one_thread_a_timed_run_and_an_http_uri_for_prior_knowledge()
    {
        var h2 = CaseCatalog.All(100).Single(c => c.Name == "h2-plaintext-16");
        var request = BenchRunner.H2LoadRequestFor(h2, 8080, TimeSpan.FromSeconds(3));

        Assert.Equal(["-t", "1", "-c", "16", "-m", "100", "-D", "3000ms", "http://127.0.0.1:8080/plaintext"], request.Arguments());
        var json = BenchRunner.H2LoadRequestFor(CaseCatalog.All(100).Single(c => c.Name == "h2-json-100"), 9, TimeSpan.FromMilliseconds(1500));
        Assert.Equal(["-t", "1", "-c", "100", "-m", "10", "-D", "1500ms", "http://127.0.0.1:9/json"], json.Arguments());
    }

    [Fact]
    public void The_idle_http2_case_asks_netloop_load_for_idle_h2c_connections()
    {
        var idle = CaseCatalog.All(100, 321).Single(c => c.Name == "h2-idle");
        var request = LoadRequest.For(idle, 8080, TimeSpan.FromSeconds(5), monitorPid: null);

        Assert.Equal("h2c://127.0.0.1:8080", request.Target);
        Assert.Equal(321, request.Connections);
        Assert.True(request.Idle);
        Assert.Contains("--idle", request.Arguments());
        Assert.DoesNotContain("--pipeline", request.Arguments());
    }
}
