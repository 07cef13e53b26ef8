using System.Text.Json;
using Netloop.Bench.Experiment;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Bench.Experiment;

/// <summary>
/// <c>netloop bench experiment</c>: bad values are usage errors; a small real run of two designs writes a report whose
/// table and promise verdicts come from what was measured; the verdict table follows its rules on synthetic results.
/// </summary>
public sealed class ExperimentTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("--modes", "async-nothing", "'async-nothing'")]
    [InlineData("--batches", "0", "'0'")]
    [InlineData("--clients", "many", "'many'")]
    [InlineData("--handler-delay", "soon", "'soon'")]
    public async Task Bad_values_are_one_line_usage_errors(string option, string value, string named)
    {
        var result = await CliProcess.RunToExitAsync(output, "bench", "experiment", option, value);

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("netloop: error: ", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_small_run_reports_every_client_and_the_shutdown_audit_of_each_mode()
    {
        string folder = Directory.CreateTempSubdirectory("netloop-experiment-test-").FullName;
        try
        {
            var result = await CliProcess.RunToExitAsync(output, "bench", "experiment", "--modes", "async-group,epoll,async-forget",
                "--batches", "3", "--clients", "8", "--handler-delay", "20ms", "--mode-timeout", "60s", "--output", folder);

            Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
            var report = JsonSerializer.Deserialize(await File.ReadAllTextAsync(Path.Combine(folder, "results.json")), ExperimentJsonContext.Default.ExperimentReport)!;
            Assert.Equal(["async-group", "epoll", "async-forget"], report.Results.Select(r => r.Mode));
            foreach (var mode in report.Results)
            {
                Assert.Equal(24, mode.Completed);
                Assert.Equal(0, mode.FailedTotal);
                Assert.Equal(3, mode.BatchesRun);
                Assert.NotEmpty(mode.Curve);
                Assert.StartsWith("leaks: ", mode.ShutdownVerdict, StringComparison.Ordinal);
            }
            Assert.True(report.Results[0].LeakFree, report.Results[0].ShutdownVerdict);
            Assert.True(report.Results[1].LeakFree, report.Results[1].ShutdownVerdict);

            string markdown = await File.ReadAllTextAsync(Path.Combine(folder, "report.md"));
            Assert.Contains("| async-group | 24 | 0 |", markdown, StringComparison.Ordinal);
            Assert.Contains("## Which designs meet the three promises", markdown, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(folder, ExperimentChart.FileName)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_promise_table_follows_concurrency_leaks_and_memory()
    {
        ExperimentResult Result(string mode, double concurrency, bool leakFree, string rss, bool meetsConcurrency) => new()
        {
            SecondHalfGrowthBytes = rss == "growing" ? 5 * 1024 * 1024 : 200 * 1024,
            Curve = Enumerable.Range(0, 20).Select(i => new RssPoint(i * 0.1, 40L << 20)).ToList(),
            Mode = mode,
            Completed = 100,
            EffectiveConcurrency = concurrency,
            MeetsConcurrency = meetsConcurrency,
            LeakFree = leakFree,
            RssVerdict = rss,
            ShutdownVerdict = leakFree ? "leaks: none (heap +0.1 MiB after a full GC)" : "leaks: 3 tasks not finished",
        };
        var report = new ExperimentReport
        {
            Command = "netloop bench experiment",
            StartedUtc = DateTimeOffset.UnixEpoch,
            ElapsedSeconds = 1,
            Batches = 1,
            Clients = 100,
            HandlerDelayMs = 100,
            ModeTimeoutSeconds = 60,
            Machine = "test",
            Results =
            [
                Result("async-group", 98, true, "steady", true),
                Result("async-forget", 97, false, "steady", true),
                Result("async-serial", 1, true, "steady", false),
                Result("async-select", 90, true, "growing", true),
            ],
        };

        string markdown = ExperimentMarkdown.Render(report, chartFile: null);

        Assert.Contains("| async-group | yes | yes | yes | **yes** |", markdown, StringComparison.Ordinal);
        Assert.Contains("| async-forget | yes | no | yes | no |", markdown, StringComparison.Ordinal);
        Assert.Contains("| async-serial | no | yes | yes | no |", markdown, StringComparison.Ordinal);
        Assert.Contains("| async-select | yes | yes | no | no |", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("![", markdown, StringComparison.Ordinal);
    }
}
