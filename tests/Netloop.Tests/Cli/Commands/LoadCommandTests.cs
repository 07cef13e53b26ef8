using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Netloop.Baselines;
using Netloop.Load.Results;
using Netloop.Server;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Cli.Commands;

/// <summary>
/// <c>netloop load</c> as a real process: exit codes, one-line errors, the JSON on stdout, and detection of a server
/// that corrupts its echo. Runs are bounded by request counts, and every wait is bounded.
/// </summary>
public sealed partial class LoadCommandTests(ITestOutputHelper output)
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static LoadResult ParseJson(string stdout)
    {
        var result = JsonSerializer.Deserialize(stdout, LoadResultJsonContext.Default.LoadResult);
        Assert.NotNull(result);
        return result;
    }

    [Fact]
    public async Task Help_lists_the_options_and_the_exit_codes()
    {
        var result = await CliProcess.RunToExitAsync(output, "load", "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (string option in new[] { "--target", "--connections", "--duration", "--requests", "--requests-per-connection", "--pipeline", "--payload", "--rate", "--source-addresses", "--cpu", "--idle", "--monitor-pid", "--json", "--timeout", "--header" })
        {
            Assert.Contains(option, result.StdOut, StringComparison.Ordinal);
        }
        Assert.Contains("Exit codes: 0", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("3 the run completed but counted errors", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_target_is_one_line_and_exit_code_1()
    {
        int port = FreePort();

        var result = await CliProcess.RunToExitAsync(output, "load", "--target", $"tcp://127.0.0.1:{port}", "--duration", "1m", "--no-progress");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"netloop: connection refused to 127.0.0.1:{port} (is the server running?)", Assert.Single(Lines(result.StdErr)));
        Assert.Empty(result.StdOut.Trim());
    }

    [Theory]
    [InlineData("--target", "ftp://127.0.0.1:8443/", "scheme 'ftp' is not supported")]
    [InlineData("--cacert", "/nonexistent/ca.pem", "--cacert applies to https:// and h2s:// targets only")]
    [InlineData("--target", "http://example.com/", "not an IP address")]
    [InlineData("--connections", "0", "--connections")]
    [InlineData("--duration", "5x", "--duration")]
    [InlineData("--requests", "-3", "--requests")]
    [InlineData("--pipeline", "0", "--pipeline")]
    [InlineData("--payload", "0", "--payload")]
    [InlineData("--payload", "65m", "--payload")]
    [InlineData("--rate", "-1", "--rate")]
    [InlineData("--source-addresses", "127.0.0.9-127.0.0.1", "backwards")]
    [InlineData("--header", "no colon", "--header")]
    [InlineData("--method", "G E T", "--method")]
    [InlineData("--expect-status", "42", "--expect-status")]
    [InlineData("--cpu", "4000", "--cpu")]
    [InlineData("--monitor-pid", "2147483647", "process 2147483647 does not exist")]
    public async Task Bad_values_are_one_line_usage_errors_with_exit_code_2(string option, string value, string mentions)
    {
        var args = option == "--target"
            ? new[] { "load", option, value }
            : new[] { "load", "--target", "http://127.0.0.1:9/", option, value };

        var result = await CliProcess.RunToExitAsync(output, args);

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(Lines(result.StdErr));
        Assert.StartsWith("netloop: error: ", line, StringComparison.Ordinal);
        Assert.Contains(mentions, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr + result.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("load")]
    [InlineData("load|--target|tcp://127.0.0.1:9|--idle|--requests|5")]
    [InlineData("load|--target|tcp://127.0.0.1:9|--header|X-A: 1")]
    [InlineData("load|--target|tcp://127.0.0.1:9|--source-addresses|::1")]
    [InlineData("load|--target|tcp://127.0.0.1:9|--connections|2|--loops|3")]
    public async Task Impossible_combinations_are_one_line_usage_errors(string commandLine)
    {
        var result = await CliProcess.RunToExitAsync(output, commandLine.Split('|'));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("netloop: error: ", Assert.Single(Lines(result.StdErr)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_prints_only_the_result_on_stdout_and_a_clean_run_exits_0()
    {
        await using var server = TestServer.Start(ServerMode.Epoll);

        var result = await CliProcess.RunToExitAsync(output, "load", "--target", $"tcp://{server.EndPoint}", "--connections", "4", "--requests", "400", "--json");

        Assert.Equal(0, result.ExitCode);
        var load = ParseJson(result.StdOut);
        Assert.Equal("echo", load.Protocol);
        Assert.Equal(400, load.Requests);
        Assert.Equal(4096, load.PayloadBytes);
        Assert.Equal(0, load.Errors.Total);
        Assert.StartsWith("{", result.StdOut.TrimStart(), StringComparison.Ordinal);
        Assert.EndsWith("}", result.StdOut.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_json_the_summary_is_a_readable_table()
    {
        await using var server = TestServer.Start(ServerMode.Epoll);

        var result = await CliProcess.RunToExitAsync(output, "load", "--target", $"tcp://{server.EndPoint}", "--connections", "2", "--requests", "100", "--payload", "1k", "--no-progress");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"netloop load tcp://{server.EndPoint}: 2 connections", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("1,024-byte messages", result.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"requests\s+│\s+100\s", result.StdOut);
        Assert.Contains("p99.9", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("errors: none", result.StdOut, StringComparison.Ordinal);
        Assert.Empty(result.StdErr.Trim());
    }

    [Fact]
    public async Task A_server_that_corrupts_its_echo_is_caught_and_the_run_exits_3()
    {
        await using var serve = CliProcess.Start(output, "serve", "--port", "0", "--loops", "1", "--fault", "corrupt-echo");
        var listening = await serve.WaitForLineAsync(ListeningLine(), TimeSpan.FromSeconds(30));
        string port = listening.Groups["port"].Value;

        // 100 messages of 4096 bytes on one connection: the byte at offset 100,000 is in message 25.
        var result = await CliProcess.RunToExitAsync(output, "load", "--target", $"tcp://127.0.0.1:{port}", "--connections", "1", "--payload", "4096", "--requests", "100", "--json");

        Assert.Equal(3, result.ExitCode);
        var load = ParseJson(result.StdOut);
        Assert.True(load.Errors.Corrupt >= 1, $"corrupt: {load.Errors.Corrupt}");
        Assert.Equal(1, load.Errors.Corrupt);
        Assert.Equal(99, load.Requests);
        Assert.Equal(int.Parse(port, CultureInfo.InvariantCulture), new Uri(load.Target.Replace("tcp", "http", StringComparison.Ordinal)).Port);
    }

    [Fact]
    public async Task Sigterm_ends_the_run_early_and_still_reports_it()
    {
        await using var server = TestServer.Start(ServerMode.Epoll);
        await using var load = CliProcess.Start(output, "load", "--target", $"tcp://{server.EndPoint}", "--connections", "2", "--duration", "10m", "--json");

        // Without a terminal the progress is one plain line per second on stderr; the first one shows the run is under way.
        Assert.True(await Clients.EventuallyAsync(() => load.StdErr.Contains(" req/s ", StringComparison.Ordinal), TimeSpan.FromSeconds(30)), load.Transcript());
        load.Signal(CliProcess.SIGTERM);

        Assert.True(await load.WaitForExitAsync(TimeSpan.FromSeconds(30)), load.Transcript());
        Assert.Equal(0, load.ExitCode);
        var result = ParseJson(load.StdOut);
        Assert.True(result.DurationSeconds is > 0 and < 600, $"{result.DurationSeconds} s");
        Assert.True(result.Requests > 0);
        Assert.DoesNotContain("req/s", load.StdOut, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
