using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Cli;

/// <summary>
/// Runs the built <c>netloop</c> CLI as a real process and checks what a user or a script sees: stdout, stderr, exit
/// codes and signal handling. Every wait is bounded and nothing asserts on speed.
/// </summary>
public sealed partial class CliProcessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Port_held_by_another_socket_is_one_line_on_stderr_and_exit_code_1()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        int port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var result = await CliProcess.RunToExitAsync(output, "serve", "--mode", "epoll", "--port", port.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"netloop: address 127.0.0.1:{port} is already in use", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr + result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_mode_is_one_line_naming_it_and_exit_code_2()
    {
        var result = await CliProcess.RunToExitAsync(output, "serve", "--mode", "nosuch");

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(Lines(result.StdErr));
        Assert.Contains("mode", line, StringComparison.Ordinal);
        Assert.Contains("'nosuch'", line, StringComparison.Ordinal);
        Assert.Contains("epoll", line, StringComparison.Ordinal);
        Assert.Empty(result.StdOut.Trim()); // no help dump after the error
    }

    [Fact]
    public async Task Port_above_65535_is_one_line_and_exit_code_2()
    {
        var result = await CliProcess.RunToExitAsync(output, "serve", "--port", "70000");

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(Lines(result.StdErr));
        Assert.Contains("--port", line, StringComparison.Ordinal);
        Assert.Contains("70000", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--port", "-1")]
    [InlineData("--port", "seven")]
    [InlineData("--loops", "0")]
    [InlineData("--max-connections", "0")]
    [InlineData("--idle-timeout", "5x")]
    [InlineData("--shutdown-timeout", "-1s")]
    [InlineData("--address", "not-an-ip")]
    [InlineData("--protocol", "nosuch")]
    [InlineData("--max-connections-per-ip", "-1")]
    [InlineData("--rate-limit", "100/day")]
    [InlineData("--rate-limit", "-5/s")]
    [InlineData("--burst", "0")]
    [InlineData("--ipv6-prefix", "129")]
    [InlineData("--max-tracked-addresses", "0")]
    public async Task Bad_values_are_usage_errors_in_one_line_without_a_stack_trace(string option, string value)
    {
        var result = await CliProcess.RunToExitAsync(output, "serve", option, value);

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(Lines(result.StdErr));
        Assert.StartsWith("netloop: error: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr + result.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--mode", "threads", "--max-connections-per-ip", "2")]
    [InlineData("--protocol", "http", "--burst", "5")]
    [InlineData("--protocol", "echo", "--rate-limit", "10/s")]
    public async Task Per_IP_options_the_run_cannot_honour_are_one_line_usage_errors(string option1, string value1, string option2, string value2)
    {
        var result = await CliProcess.RunToExitAsync(output, "serve", "--port", "0", option1, value1, option2, value2);

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(Lines(result.StdErr));
        Assert.StartsWith("netloop: error: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_option_is_one_line_naming_it_and_exit_code_2()
    {
        var result = await CliProcess.RunToExitAsync(output, "serve", "--no-such-option");

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(Lines(result.StdErr));
        Assert.Contains("--no-such-option", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Root_help_lists_the_serve_command_and_exits_0()
    {
        var result = await CliProcess.RunToExitAsync(output, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("serve", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("--version", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_help_states_every_option_with_its_default_and_exits_0()
    {
        var result = await CliProcess.RunToExitAsync(output, "serve", "--help");

        Assert.Equal(0, result.ExitCode);
        var rows = OptionRows(result.StdOut);
        var expected = new Dictionary<string, string>
        {
            ["--mode"] = "Default: epoll",
            ["--protocol"] = "Default: echo",
            ["--address"] = "Default: 127.0.0.1",
            ["--port"] = "Default: 7000",
            ["--loops"] = "Default: processor count",
            ["--reuse-port"] = "Default: off",
            ["--max-connections"] = "Default: 10000",
            ["--idle-timeout"] = "Default: 60s",
            ["--shutdown-timeout"] = "Default: 10s",
            ["--drain-grace"] = "Default: 1s",
            ["--max-connections-per-ip"] = "Default: 0, no limit",
            ["--rate-limit"] = "Default: 0, no limit",
            ["--ipv6-prefix"] = "Default: 64",
            ["--max-tracked-addresses"] = "Default: 65536",
        };
        foreach (var (option, defaultText) in expected)
        {
            Assert.True(rows.TryGetValue(option, out string? row), $"serve --help does not list {option}:\n{result.StdOut}");
            Assert.Contains(defaultText, row, StringComparison.Ordinal);
        }
        Assert.Contains("epoll, poll, serial, threads, sockets", rows["--mode"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_a_semantic_version_and_exits_0()
    {
        var result = await CliProcess.RunToExitAsync(output, "--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+$", result.StdOut.Trim());
    }

    [Theory]
    [InlineData(CliProcess.SIGINT)]
    [InlineData(CliProcess.SIGTERM)]
    public async Task Serve_on_port_0_logs_the_real_port_echoes_and_stops_cleanly_on_a_signal(int signal)
    {
        await using var cli = CliProcess.Start(output, "serve", "--mode", "epoll", "--port", "0", "--loops", "2", "--shutdown-timeout", "5s");

        var started = await cli.WaitForLineAsync(StartupLine(), TimeSpan.FromSeconds(30));
        int port = int.Parse(started.Groups["port"].Value, CultureInfo.InvariantCulture);
        Assert.NotEqual(0, port);
        Assert.Equal(cli.Id, int.Parse(started.Groups["pid"].Value, CultureInfo.InvariantCulture));

        using (var client = new TcpClient())
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            var stream = client.GetStream();
            byte[] sent = Encoding.ASCII.GetBytes("hello, netloop");
            await stream.WriteAsync(sent, timeout.Token);
            byte[] received = new byte[sent.Length];
            await stream.ReadExactlyAsync(received, timeout.Token);
            Assert.Equal(sent, received);
        }

        cli.Signal(signal);

        Assert.True(await cli.WaitForExitAsync(TimeSpan.FromSeconds(20)), $"netloop did not exit after signal {signal}:\n{cli.Transcript()}");
        Assert.Equal(0, cli.ExitCode);
        var stopped = StoppedLine().Match(cli.StdOut);
        Assert.True(stopped.Success, $"no final counters line:\n{cli.Transcript()}");
        Assert.True(long.Parse(stopped.Groups["accepted"].Value, CultureInfo.InvariantCulture) >= 1, cli.StdOut);
        Assert.Equal("0", stopped.Groups["outstanding"].Value);
        Assert.Single(StartupLine().Matches(cli.StdOut));
        Assert.DoesNotContain("   at ", cli.StdErr + cli.StdOut, StringComparison.Ordinal);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // Help rows start with "  -"; a long description may wrap onto more-indented lines, which belong to the row above.
    private static Dictionary<string, string> OptionRows(string help)
    {
        var rows = new Dictionary<string, string>();
        string? current = null;
        foreach (string raw in help.Split('\n'))
        {
            string line = raw.TrimEnd();
            string trimmed = line.TrimStart();
            if (trimmed.StartsWith('-'))
            {
                current = trimmed.Split(' ', 2)[0].TrimEnd(',');
                rows[current] = trimmed;
            }
            else if (current is not null && trimmed.Length > 0 && line.StartsWith("   ", StringComparison.Ordinal))
            {
                rows[current] += " " + trimmed;
            }
            else
            {
                current = null;
            }
        }
        return rows;
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(?<port>\d+) \(mode epoll, protocol echo, loops 2, pid (?<pid>\d+)\)")]
    private static partial Regex StartupLine();

    [GeneratedRegex(@"accepted (?<accepted>\d+), resets \d+, idle timeouts \d+, send timeouts \d+, buffers outstanding (?<outstanding>\d+)")]
    private static partial Regex StoppedLine();
}
