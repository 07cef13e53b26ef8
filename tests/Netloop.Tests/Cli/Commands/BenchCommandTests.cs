using System.Text.RegularExpressions;
using Netloop.Bench.Report;
using Netloop.Bench.Running;
using Netloop.Bench.Servers;
using Netloop.Tests.Bench.Report;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Cli.Commands;

/// <summary>
/// <c>netloop bench</c> as a user runs it: bad values are one-line usage errors, and one short real run (every
/// server, a few cases, one-second loads) writes a report that lists every server, charts and a results.json.
/// Nothing here asserts on speed; every wait is bounded.
/// </summary>
public sealed partial class BenchCommandTests(ITestOutputHelper output)
{
    // Building the Kestrel peer on a clean machine takes most of this; the run itself is well under a minute.
    private static readonly TimeSpan s_runLimit = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData("--servers", "epoll,apache", "'apache'")]
    [InlineData("--cases", "plaintext-999", "'plaintext-999'")]
    [InlineData("--duration", "0", "'0'")]
    [InlineData("--duration", "fast", "'fast'")]
    [InlineData("--rounds", "0", "'0'")]
    [InlineData("--idle", "0", "'0'")]
    [InlineData("--idle-h2", "0", "'0'")]
    [InlineData("--cases", "h2-plaintext-99", "'h2-plaintext-99'")]
    [InlineData("--soak-duration", "-1m", "'-1m'")]
    [InlineData("--load-cpu", "4096", "'4096'")]
    public async Task Bad_values_are_one_line_usage_errors(string option, string value, string named)
    {
        var result = await CliProcess.RunToExitAsync(output, "bench", option, value);

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("netloop: error: ", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr + result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quick_run_reports_every_server_with_charts_and_results_json()
    {
        string folder = Directory.CreateTempSubdirectory("netloop-bench-e2e-").FullName;
        try
        {
            await using var cli = CliProcess.Start(output,
                "bench", "--quick", "--duration", "1s", "--warmup", "0", "--cases", "echo-256,plaintext-256,idle", "--idle", "300", "--output", folder);
            Assert.True(await cli.WaitForExitAsync(s_runLimit), $"netloop bench did not finish within {s_runLimit}:\n{cli.Transcript()}");
            Assert.True(cli.ExitCode == 0, $"exit code {cli.ExitCode}:\n{cli.Transcript()}");

            string md = await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.ReportFile));
            output.WriteLine(md);
            bool nginxInstalled = CpuPinning.FindOnPath("nginx") is not null;
            foreach (var server in ServerCatalog.All)
            {
                Assert.Matches(new Regex($@"^\| {server.Name} \| .* \| [^|]+ \|$", RegexOptions.Multiline), md);
            }
            if (!nginxInstalled) Assert.Matches(ServerRow("nginx", "not installed"), md);
            Assert.Contains("`netloop bench --quick --duration 1s", md, StringComparison.Ordinal);

            var charts = ChartLink().Matches(md).Select(m => m.Groups[1].Value).ToList();
            Assert.Contains("requests-plaintext.png", charts);
            Assert.Contains("idle-rss-per-connection.png", charts);
            foreach (string chart in charts) BenchReportTests.AssertPng(Path.Combine(folder, chart));

            var report = ReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.ResultsFile)));
            Assert.NotNull(report);
            Assert.Equal(ServerCatalog.All.Select(s => s.Name), report.Servers.Select(s => s.Name));
            Assert.Equal(["echo-256", "plaintext-256", "idle"], report.Cases.Select(c => c.Name));
            // Every server has a plaintext entry (measured, failed or not run); netloop's modes and the C reference have echo ones.
            Assert.Equal(8, report.Results.Count(r => r.Case == "plaintext-256"));
            Assert.Equal(6, report.Results.Count(r => r.Case == "echo-256"));
            Assert.Contains(report.Results, r => r.Median is not null);
            Assert.True(Directory.Exists(Path.Combine(folder, "logs")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Regex ServerRow(string server, string status) => new($@"^\| {server} \| .* \| {status} \|$", RegexOptions.Multiline);

    [GeneratedRegex(@"!\[[^\]]*\]\(([^)]+\.png)\)")]
    private static partial Regex ChartLink();
}
