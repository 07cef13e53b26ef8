using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Netloop.Bench.Cases;
using Netloop.Bench.Running;
using Netloop.Bench.Servers;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Cli;

/// <summary>
/// <c>netloop serve</c> answers SIGUSR2 with one stats line (managed bytes allocated by the process and by its loops)
/// and goes on serving; the bench's <see cref="ServerProcess"/> reads that line. Every wait is bounded; nothing asserts
/// on speed or on how much was allocated.
/// </summary>
public sealed partial class StatsSignalTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("epoll", true)]
    [InlineData("threads", false)]
    public async Task Sigusr2_logs_a_stats_line_with_growing_counters_and_the_server_keeps_serving(string mode, bool hasLoops)
    {
        await using var cli = CliProcess.Start(output, "serve", "--mode", mode, "--protocol", "http", "--port", "0", "--loops", "1", "--shutdown-timeout", "5s");
        var started = await cli.WaitForLineAsync(ListeningLine(), s_wait);
        int port = int.Parse(started.Groups["port"].Value, CultureInfo.InvariantCulture);
        Assert.True(Posix.Catches(cli.Id, Posix.SIGUSR2), "serve does not catch SIGUSR2 once it is listening");

        await GetPlaintextAsync(port, 20);
        cli.Signal(Posix.SIGUSR2);
        var first = await cli.WaitForLineAsync(StatsLine(), s_wait);
        await GetPlaintextAsync(port, 20);
        cli.Signal(Posix.SIGUSR2);
        var second = await cli.WaitForLineAsync(StatsLine(), s_wait);

        long allocated = Number(first, "allocated");
        Assert.True(allocated > 0, first.Value);
        Assert.True(Number(second, "allocated") >= allocated, $"{first.Value} then {second.Value}");
        Assert.True(Number(first, "accepted") >= 1, first.Value);
        Assert.Equal(hasLoops, first.Groups["loop"].Success);
        if (hasLoops)
        {
            // The loop accepted and served connections, so it has allocated something, and never more than the process.
            long loop = Number(first, "loop");
            Assert.InRange(loop, 1, allocated);
            Assert.True(Number(second, "loop") >= loop, $"{first.Value} then {second.Value}");
        }
        // The bench reads the same line.
        var parsed = ServerStatsLine.TryParse(first.Value);
        Assert.Equal(new ServerStatsLine(allocated, hasLoops ? Number(first, "loop") : null, Number(first, "heap")), parsed);
        // A live heap and a GC that has committed memory for it: the figures the idle case's heap column comes from.
        Assert.True(Number(first, "heap") > 0, first.Value);
        Assert.True(Number(first, "committed") > 0 || Number(first, "gcs") == 0, first.Value);

        await GetPlaintextAsync(port, 1);
        cli.Signal(CliProcess.SIGTERM);
        Assert.True(await cli.WaitForExitAsync(TimeSpan.FromSeconds(20)), $"netloop did not exit after SIGTERM:\n{cli.Transcript()}");
        Assert.Equal(0, cli.ExitCode);
    }

    [Fact]
    public async Task The_bench_reads_allocations_around_a_load_from_a_netloop_server()
    {
        int port = FreePort();
        string log = Path.Combine(Path.GetTempPath(), $"netloop-stats-{Guid.NewGuid():N}.log");
        var command = new ProcessCommand(DotnetHost.Path,
            [CliProcess.CliPath, "serve", "--mode", "epoll", "--protocol", "http", "--port", port.ToString(CultureInfo.InvariantCulture), "--loops", "1", "--shutdown-timeout", "2s"]);
        var (server, failure) = await ServerProcess.StartAsync(command, port, LoadProtocol.Http, waitForOutput: true, log, s_wait, CancellationToken.None);
        if (server is null)
        {
            Assert.Fail($"the server did not start: {failure}");
            return;
        }
        try
        {
            var before = await server.ReadStatsAsync(s_wait, CancellationToken.None);
            await GetPlaintextAsync(port, 50);
            var after = await server.ReadStatsAsync(s_wait, CancellationToken.None);

            Assert.NotNull(before);
            Assert.NotNull(after);
            var (process, loops) = ServerStatsLine.PerRequest(before, after, 50);
            output.WriteLine($"{process} B/request, loops {loops} B/request (a cold server: not a steady-state figure)");
            Assert.True(process >= 0, $"{before} then {after}");
            Assert.True(loops >= 0, $"{before} then {after}");
            Assert.False(server.HasExited);
        }
        finally
        {
            Assert.Equal("exited", await server.StopAsync(TimeSpan.FromSeconds(10)));
            await server.DisposeAsync();
            output.WriteLine(await File.ReadAllTextAsync(log));
            File.Delete(log);
        }
    }

    private static async Task GetPlaintextAsync(int port, int requests)
    {
        using var http = new HttpClient { Timeout = s_wait };
        for (int i = 0; i < requests; i++)
        {
            Assert.Equal("Hello, World!", await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/plaintext")));
        }
    }

    private static long Number(Match match, string group) => long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(?<port>\d+) \(mode \w+, protocol http")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"stats: allocated-bytes=(?<allocated>\d+)( loop-allocated-bytes=(?<loop>\d+))? connections=(?<connections>\d+) accepted=(?<accepted>\d+) heap-bytes=(?<heap>\d+) gc-committed-bytes=(?<committed>\d+) gcs=(?<gcs>\d+)$")]
    private static partial Regex StatsLine();
}
