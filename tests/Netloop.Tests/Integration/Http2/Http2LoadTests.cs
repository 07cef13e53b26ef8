using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Netloop.Bench.Running;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Http2;

/// <summary>
/// h2load against <c>netloop serve --protocol http</c>, and graceful shutdown under HTTP/2 load. They run alone (their
/// own collection): h2load with 100 connections takes both cores for a few seconds, and would starve the timer tests.
/// Each test starts its own server (SIGTERM ends it) and bounds every wait; none asserts on speed.
/// </summary>
[Collection(nameof(Http2LoadRuns))]
public sealed partial class Http2LoadTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task H2load_200000_requests_100_connections_10_streams_each_get_no_error_and_no_failure()
    {
        await using var server = await StartServerAsync("5s");

        var run = await Http2Tools.RunAsync(output, "h2load", ["-n", "200000", "-c", "100", "-m", "10", "-t", "1", "-T", "30", Url(server.Port, "/plaintext")], TimeSpan.FromSeconds(300));

        Assert.True(run.ExitCode == 0, run.Describe());
        var summary = ParseSummary(run);
        Assert.True(summary.Total == 200000 && summary.Succeeded == 200000 && summary.Failed == 0 && summary.Errored == 0 && summary.TimedOut == 0, run.Describe());
        Assert.True(summary.Status2xx == 200000, run.Describe());
        Assert.Contains("Application protocol: h2c", run.StdOutText, StringComparison.Ordinal);
        await StopCleanlyAsync(server.Process);
    }

    [Fact]
    public async Task Sigterm_during_h2load_lets_every_started_request_that_was_answered_succeed_and_the_server_stops_cleanly()
    {
        await using var server = await StartServerAsync("20s");
        bool signalled = false;

        // -n large enough that the run is still going when the first progress line (10 %) appears: SIGTERM lands then.
        var run = await Http2Tools.RunAsync(output, "h2load", ["-n", "400000", "-c", "10", "-m", "10", "-t", "1", "-T", "30", Url(server.Port, "/plaintext")], TimeSpan.FromSeconds(120),
            line =>
            {
                if (!signalled && line.StartsWith("progress: ", StringComparison.Ordinal))
                {
                    signalled = true;
                    server.Process.Signal(CliProcess.SIGTERM);
                }
                return Task.CompletedTask;
            });

        Assert.True(signalled, $"h2load printed no progress line, so SIGTERM was never sent:\n{run.Describe()}");
        var summary = ParseSummary(run);
        // h2load cannot tell a stream the server refused after its GOAWAY (RFC 9113 §6.8 allows that: an id above the
        // last-stream-id, never processed, safe to retry; h2load counts it "done" but not "succeeded") from one it cut;
        // h2shutdown.py's load mode checks that precisely. What h2load can show: every response it got is a 2xx (none
        // 5xx, none cut into an error status), and at most one window of streams per connection (10 × 10) was left
        // unanswered when the connections closed.
        Assert.True(summary.Succeeded > 0 && summary.Status2xx == summary.Succeeded, run.Describe());
        Assert.True(summary.Started - summary.Succeeded <= 10 * 10, run.Describe());
        Assert.True(await server.Process.WaitForExitAsync(s_wait), server.Process.Transcript());
        AssertCleanStop(server.Process);
    }

    [Fact]
    public async Task Sigterm_under_load_completes_every_stream_up_to_the_goaway_last_stream_id()
    {
        await using var server = await StartServerAsync("20s");

        var run = await Http2Tools.PythonAsync(output, "h2shutdown.py", [server.Port.ToString(CultureInfo.InvariantCulture), server.Process.Id.ToString(CultureInfo.InvariantCulture), "load"]);

        var report = run.Json();
        Assert.True(report.GetProperty("signalled").GetBoolean(), run.Describe());
        foreach (var connection in report.GetProperty("connections").EnumerateArray())
        {
            string text = connection.GetRawText();
            // RFC 9113 §6.8: a graceful shutdown announces itself with GOAWAY(NO_ERROR) and closes the connection.
            var goaways = connection.GetProperty("goaways").EnumerateArray().ToList();
            Assert.True(goaways.Count > 0, $"no GOAWAY before the close: {text}");
            Assert.All(goaways, g => Assert.Equal("NO_ERROR", g.GetProperty("code").GetString()));
            Assert.True(connection.GetProperty("closed").ValueKind != JsonValueKind.Null, $"never closed: {text}");
            // Every stream the server accepted (id ≤ last-stream-id) completed; none above it was answered.
            Assert.True(connection.GetProperty("accepted").GetInt32() > 0, text);
            Assert.False(connection.GetProperty("accepted_incomplete").EnumerateObject().Any(), $"accepted streams cut: {text}");
            Assert.True(connection.GetProperty("completed_above_last").GetArrayLength() == 0, $"streams above the last-stream-id were answered: {text}");
        }
        Assert.True(await server.Process.WaitForExitAsync(s_wait), server.Process.Transcript());
        AssertCleanStop(server.Process);
    }

    [Fact]
    public async Task Sigterm_while_a_stream_is_in_flight_sends_goaway_first_then_completes_the_stream_then_closes()
    {
        await using var server = await StartServerAsync("20s");

        var run = await Http2Tools.PythonAsync(output, "h2shutdown.py", [server.Port.ToString(CultureInfo.InvariantCulture), server.Process.Id.ToString(CultureInfo.InvariantCulture), "slow"]);

        var report = run.Json();
        string[] events = report.GetProperty("events").EnumerateArray().Select(e => e.GetString()!).ToArray();
        string described = string.Join(" → ", events);
        Assert.True(report.GetProperty("echo_intact").GetBoolean(), $"the echo was cut or changed ({report.GetProperty("echoed_bytes")} bytes): {described}");
        int sigterm = Array.IndexOf(events, "sigterm");
        int goaway = Array.FindIndex(events, e => e.StartsWith("goaway ", StringComparison.Ordinal));
        int end = Array.IndexOf(events, "end_stream");
        int closed = Array.FindIndex(events, e => e.StartsWith("closed ", StringComparison.Ordinal));
        Assert.True(sigterm >= 0 && goaway > sigterm && end > goaway && closed > end, $"expected sigterm → goaway → (data) → end_stream → closed, saw: {described}");
        Assert.Equal("headers 200", events[0]);
        Assert.DoesNotContain(events, e => e.StartsWith("rst ", StringComparison.Ordinal));
        foreach (var g in report.GetProperty("goaways").EnumerateArray())
        {
            Assert.Equal("NO_ERROR", g.GetProperty("code").GetString());
            Assert.True(g.GetProperty("last_stream_id").GetInt32() >= 1, described);
        }
        Assert.True(await server.Process.WaitForExitAsync(s_wait), server.Process.Transcript());
        AssertCleanStop(server.Process);
    }

    private async Task<Server> StartServerAsync(string shutdownTimeout)
    {
        var cli = CliProcess.Start(output, "serve", "--protocol", "http", "--port", "0", "--loops", "2", "--shutdown-timeout", shutdownTimeout);
        try
        {
            var started = await cli.WaitForLineAsync(StartupLine(), s_wait);
            return new Server(cli, int.Parse(started.Groups["port"].Value, CultureInfo.InvariantCulture));
        }
        catch
        {
            await cli.DisposeAsync();
            throw;
        }
    }

    private static async Task StopCleanlyAsync(CliProcess process)
    {
        process.Signal(CliProcess.SIGTERM);
        Assert.True(await process.WaitForExitAsync(s_wait), process.Transcript());
        AssertCleanStop(process);
    }

    /// <summary>h2load's summary, read as the bench reads it.</summary>
    private static H2LoadResult ParseSummary(Http2ToolRun run)
    {
        var summary = H2LoadOutput.Parse(run.StdOutText, out string? error);
        Assert.True(summary is not null, $"{error}:\n{run.Describe()}");
        return summary;
    }

    private static void AssertCleanStop(CliProcess process)
    {
        Assert.True(process.ExitCode == 0 && StoppedLine().IsMatch(process.StdOut), $"exit code {process.ExitCode} (0 and no leak expected):\n{process.Transcript()}");
        // What HTTP/2 served, after the stop line: connections and streams; no flood defence fired against a well-behaved load.
        var summary = Http2SummaryLine().Match(process.StdOut);
        Assert.True(summary.Success && long.Parse(summary.Groups["streams"].Value, CultureInfo.InvariantCulture) > 0 
            && !summary.Groups["rest"].Value.Contains("flood", StringComparison.Ordinal) && !summary.Groups["rest"].Value.Contains("rapid-resets", StringComparison.Ordinal), process.Transcript());
    }

    [GeneratedRegex(@"HTTP/2: connections=\d+ streams=(?<streams>\d+)(?<rest>[^\n]*)")]
    private static partial Regex Http2SummaryLine();

    private static string Url(int port, string path) => $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}{path}";

    private sealed record Server(CliProcess Process, int Port) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(?<port>\d+) \(mode \w+, protocol http")]
    private static partial Regex StartupLine();

    [GeneratedRegex(@"netloop stopped: .*buffers outstanding 0")]
    private static partial Regex StoppedLine();
}

/// <summary>Tests that load both cores run one at a time, and not beside the others.</summary>
[CollectionDefinition(nameof(Http2LoadRuns), DisableParallelization = true)]
public sealed class Http2LoadRuns;
