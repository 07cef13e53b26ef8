using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Cli;

/// <summary>Two real <c>netloop serve</c> processes on one port: refused unless both pass <c>--reuse-port</c>.</summary>
public sealed partial class ReusePortCliTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_startWait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("2", new string[0])]
    [InlineData("1", new string[0])]
    [InlineData("2", new[] { "--reuse-port" })] // the first one sharing does not let a second one in that did not ask
    public async Task A_second_serve_on_a_served_port_without_reuse_port_exits_1_with_one_line(string loops, string[] firstFlags)
    {
        await using var first = CliProcess.Start(output, ["serve", "--port", "0", "--loops", loops, "--shutdown-timeout", "2s", .. firstFlags]);
        int port = await PortOfAsync(first);

        var second = await CliProcess.RunToExitAsync(output, "serve", "--port", Text(port), "--loops", "2");

        Assert.Equal(1, second.ExitCode);
        Assert.Equal($"netloop: address 127.0.0.1:{port} is already in use", second.StdErr.Trim());
        Assert.DoesNotContain("listening on", second.StdOut, StringComparison.Ordinal);
        var payload = Clients.RandomBytes(32, 1);
        Assert.Equal(payload, await Clients.EchoAsync(new IPEndPoint(IPAddress.Loopback, port), payload, seed: 1));
    }

    [Fact]
    public async Task Two_serve_processes_with_reuse_port_both_accept_on_one_port()
    {
        await using var first = CliProcess.Start(output, "serve", "--port", "0", "--loops", "1", "--reuse-port", "--shutdown-timeout", "2s");
        int port = await PortOfAsync(first);
        await using var second = CliProcess.Start(output, "serve", "--port", Text(port), "--loops", "1", "--reuse-port", "--shutdown-timeout", "2s");
        Assert.Equal(port, await PortOfAsync(second));

        // The kernel hashes each connection to one listener: 64 clients miss one of two processes with odds 2 in 2^64.
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        for (int i = 0; i < 64; i++)
        {
            var payload = Clients.RandomBytes(16, i);
            Assert.Equal(payload, await Clients.EchoAsync(endPoint, payload, seed: i));
        }

        long total = 0;
        foreach (var cli in new[] { first, second })
        {
            cli.Signal(CliProcess.SIGTERM);
            Assert.True(await cli.WaitForExitAsync(TimeSpan.FromSeconds(20)), cli.Transcript());
            Assert.Equal(0, cli.ExitCode);
            var stopped = AcceptedLine().Match(cli.StdOut);
            Assert.True(stopped.Success, cli.Transcript());
            long accepted = long.Parse(stopped.Groups["accepted"].Value, CultureInfo.InvariantCulture);
            Assert.True(accepted > 0, $"process {cli.Id} accepted no connection:\n{cli.Transcript()}");
            total += accepted;
        }
        Assert.Equal(64, total);
    }

    private static async Task<int> PortOfAsync(CliProcess cli)
    {
        var started = await cli.WaitForLineAsync(StartupLine(), s_startWait);
        return int.Parse(started.Groups["port"].Value, CultureInfo.InvariantCulture);
    }

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(?<port>\d+) ")]
    private static partial Regex StartupLine();

    [GeneratedRegex(@"netloop stopped: accepted (?<accepted>\d+),")]
    private static partial Regex AcceptedLine();
}
