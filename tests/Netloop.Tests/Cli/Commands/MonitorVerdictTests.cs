using System.Text.Json;
using System.Text.RegularExpressions;
using Netloop.Load.Results;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Cli.Commands;

/// <summary>
/// <c>netloop load --monitor-pid</c> against real <c>netloop serve</c> processes: a server that leaks 1 KiB per request is
/// reported "growing", a healthy epoll server under a constant load for 60 s is reported "steady". Loads are open-loop
/// (a fixed rate), so the leak's size and the run's length are bounded whatever the machine's speed.
/// </summary>
public sealed partial class MonitorVerdictTests(ITestOutputHelper output)
{
    private async Task<LoadResult> LoadWithMonitorAsync(string[] serveArgs, string duration, string rate)
    {
        await using var serve = CliProcess.Start(output, ["serve", "--protocol", "http", "--port", "0", "--loops", "1", .. serveArgs]);
        var listening = await serve.WaitForLineAsync(ListeningLine(), TimeSpan.FromSeconds(30));
        string target = $"http://127.0.0.1:{listening.Groups["port"].Value}/plaintext";

        await using var load = CliProcess.Start(output,
            "load", "--target", target, "--connections", "16", "--rate", rate, "--duration", duration,
            "--monitor-pid", serve.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", "--no-progress");
        Assert.True(await load.WaitForExitAsync(TimeSpan.FromMinutes(3)), "load did not exit:\n" + load.Transcript());

        Assert.True(load.ExitCode == 0, $"load exited {load.ExitCode}: {load.StdErr}");
        var result = JsonSerializer.Deserialize(load.StdOut, LoadResultJsonContext.Default.LoadResult);
        Assert.NotNull(result);
        Assert.NotNull(result.Monitor);
        Assert.Equal(0, result.Errors.Total);
        return result;
    }

    [Fact]
    public async Task A_server_leaking_1KiB_per_request_is_reported_growing()
    {
        var result = await LoadWithMonitorAsync(["--fault", "leak"], "8s", "4000");

        Assert.Equal("growing", result.Monitor!.Verdict);
        Assert.True(result.Monitor.RssEndBytes > result.Monitor.RssStartBytes + 8_000_000,
            $"RSS {result.Monitor.RssStartBytes} → {result.Monitor.RssEndBytes} after {result.Requests} requests");
    }

    [Fact]
    public async Task A_healthy_epoll_server_under_constant_load_for_60s_is_reported_steady()
    {
        var result = await LoadWithMonitorAsync([], "60s", "5000");

        Assert.Equal("steady", result.Monitor!.Verdict);
        Assert.True(result.Requests > 0);
        Assert.True(result.Monitor.Samples.Count >= 100, $"only {result.Monitor.Samples.Count} samples");
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(?<port>\d+) ")]
    private static partial Regex ListeningLine();
}
