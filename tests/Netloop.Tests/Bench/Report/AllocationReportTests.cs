using System.Diagnostics;
using Netloop.Bench.Report;
using Netloop.Bench.Running;
using Netloop.Cli;

namespace Netloop.Tests.Bench.Report;

/// <summary>
/// The bench's side of the allocation figures: reading the SIGUSR2 stats line, bytes per request from two of them, their
/// medians, the report's columns, and summary.txt (what CI prints).
/// </summary>
public sealed class AllocationReportTests
{
    [Fact]
    public void The_line_serve_prints_parses_back_with_and_without_loops()
    {
        var withLoops = ServerStatsLine.TryParse("2026-11-23T18:00:00.000Z info: netloop[0] " + StatsSignal.Format(123_456_789, 4_096, 256, 300, new(7_000_000, 9_000_000, 3)));
        Assert.Equal(new ServerStatsLine(123_456_789, 4_096, 7_000_000), withLoops);

        var withoutLoops = ServerStatsLine.TryParse(StatsSignal.Format(1_000, null, 0, 0, new(2_000, 4_000, 0)));
        Assert.Equal(new ServerStatsLine(1_000, null, 2_000), withoutLoops);
    }

    [Theory]
    [InlineData("stats: allocated-bytes=52431872", 52_431_872L, null)] // the Kestrel peer's line
    [InlineData("stats: loop-allocated-bytes=7 future-field=x allocated-bytes=9", 9L, 7L)] // any order, unknown fields ignored
    public void Fields_come_in_any_order_and_unknown_ones_are_ignored(string line, long allocated, long? loops)
    {
        Assert.Equal(new ServerStatsLine(allocated, loops), ServerStatsLine.TryParse(line));
    }

    [Theory]
    [InlineData("info: netloop[0] netloop 0.1.0 listening on 127.0.0.1:7000 (mode epoll, protocol http, loops 1, pid 42)")]
    [InlineData("stats: loop-allocated-bytes=7")]
    [InlineData("stats: allocated-bytes=-5")]
    [InlineData("stats: allocated-bytes=12k")]
    [InlineData("")]
    public void Other_lines_and_a_line_without_a_valid_allocated_bytes_are_not_stats(string line)
    {
        Assert.Null(ServerStatsLine.TryParse(line));
    }

    [Fact]
    public void Bytes_per_request_are_the_deltas_over_the_requests_and_missing_when_a_side_is()
    {
        var before = new ServerStatsLine(1_000_000, 500);
        var after = new ServerStatsLine(3_000_000, 500);

        Assert.Equal(Figures(2.0, 0.0), ServerStatsLine.PerRequest(before, after, 1_000_000));
        Assert.Equal(Figures(2.0, null), ServerStatsLine.PerRequest(before, after with { LoopAllocatedBytes = null }, 1_000_000));
        Assert.Equal(Figures(null, null), ServerStatsLine.PerRequest(null, after, 1_000_000));
        Assert.Equal(Figures(null, null), ServerStatsLine.PerRequest(before, after, 0));
        // A counter that went backwards is another process's: no figure rather than a negative one.
        Assert.Equal(Figures(null, 0.0), ServerStatsLine.PerRequest(after, before, 10));
    }

    [Fact]
    public void Medians_skip_rounds_without_the_figure_and_stay_null_when_no_round_has_it()
    {
        var rounds = new[]
        {
            SyntheticResults.Round(1, 100) with { AllocatedBytesPerRequest = 4, LoopAllocatedBytesPerRequest = 0 },
            SyntheticResults.Round(2, 100),
            SyntheticResults.Round(3, 100) with { AllocatedBytesPerRequest = 2, LoopAllocatedBytesPerRequest = 0 },
        };
        var median = Medians.Median(rounds);
        Assert.Equal(3, median.AllocatedBytesPerRequest);
        Assert.Equal(0, median.LoopAllocatedBytesPerRequest);

        Assert.Null(Medians.Median([SyntheticResults.Round(1, 100)]).AllocatedBytesPerRequest);
    }

    [Fact]
    public void Throughput_tables_get_allocation_columns_only_where_a_server_reported_them()
    {
        string md = MarkdownReport.Render(WithAllocations(), []);

        string plaintext = Section(md, "`plaintext-256`");
        Assert.Contains("| server CPU µs/req | alloc B/req | loop alloc B/req | p50 |", plaintext, StringComparison.Ordinal);
        Assert.Matches(@"\| epoll \| 300,000 \| 3\.00× \| 2\.00× \| 5\.0 \| 0\.00 \| 0\.00 \|", plaintext);
        Assert.Matches(@"\| kestrel \| 100,000 \| 1\.00× \| 0\.67× \| 5\.0 \| 212 \| – \|", plaintext);
        Assert.Matches(@"\| nginx \| 150,000 \| 1\.50× \| 1\.00× \| 5\.0 \| – \| – \|", plaintext);

        Assert.DoesNotContain("alloc B/req", Section(md, "`plaintext-1024`"), StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_text_has_the_ratios_cpu_allocations_idle_bytes_and_every_failure()
    {
        string summary = SummaryText.Render(WithAllocations());
        var lines = summary.Split('\n');

        Assert.StartsWith("netloop bench summary: 3 rounds (medians), 10 s per case, 2 cores;", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("plaintext-256 ", StringComparison.Ordinal) && l.Contains("vs Kestrel", StringComparison.Ordinal) && l.Contains("alloc B/req", StringComparison.Ordinal));
        Assert.Contains(lines, l => Columns(l) is ["epoll", "300,000", "3.00×", "2.00×", "5.0", "0.00", "0.00"]);
        Assert.Contains(lines, l => Columns(l) is ["kestrel", "100,000", "1.00×", "0.67×", "5.0", "212", "–"]);
        Assert.Contains(lines, l => Columns(l) is ["threads", "60,000", "0.60×", "0.40×", "5.0", "–", "–", "(partial)"]);
        Assert.Contains(lines, l => Columns(l) is ["serial", "FAILED:", ..] && l.EndsWith("FAILED: server exited with code 134: boom", StringComparison.Ordinal));
        // The idle table: epoll's median 290 B per connection, Kestrel 2,900 → 0.10×, nginx 600 → 0.48×; then the figure
        // from a cold start (2 MB more before the warm-up: +200 B at 10,000) and the heap growth (none reported here).
        Assert.Contains(lines, l => l.StartsWith("idle (10,000) ", StringComparison.Ordinal) && l.Contains("cold start", StringComparison.Ordinal));
        Assert.Contains(lines, l => Columns(l) is ["epoll", "290", "0.10×", "0.48×", "490", "–"]);
        Assert.DoesNotContain(lines, l => l.EndsWith(' '));
    }

    [Fact]
    public async Task Report_writer_puts_summary_txt_beside_the_report()
    {
        string folder = Directory.CreateTempSubdirectory("netloop-summary-").FullName;
        try
        {
            await ReportWriter.WriteAsync(WithAllocations(), folder);
            Assert.Equal(SummaryText.Render(WithAllocations()), await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.SummaryFile)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_process_with_default_signal_handling_does_not_catch_sigusr2()
    {
        // The guard that keeps the bench from ending a server that has no SIGUSR2 handler (the default action kills).
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            Assert.False(Posix.Catches(sleeper.Id, Posix.SIGUSR2));
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }
        Assert.False(Posix.Catches(int.MaxValue, Posix.SIGUSR2)); // no such process
    }

    // The synthetic run with allocation figures: epoll allocation-free, Kestrel 212 B/request (no loops), nginx none.
    private static BenchReport WithAllocations()
    {
        var report = SyntheticResults.Report();
        var results = report.Results.Select(r => (r.Server, r.Case) switch
        {
            ("epoll", "plaintext-256") => Medians.Summarize(r.Server, r.Case,
                r.Rounds.Select(m => m with { AllocatedBytesPerRequest = 0.001, LoopAllocatedBytesPerRequest = 0 }).ToList(), "unused"),
            ("kestrel", "plaintext-256") => Medians.Summarize(r.Server, r.Case,
                r.Rounds.Select(m => m with { AllocatedBytesPerRequest = 212.4 }).ToList(), "unused"),
            _ => r,
        }).ToList();
        return report with { Results = results };
    }

    private static (double? Process, double? Loops) Figures(double? process, double? loops) => (process, loops);

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string Section(string md, string marker)
    {
        int start = md.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {marker}");
        int end = md.IndexOf("\n## ", start, StringComparison.Ordinal);
        return end < 0 ? md[start..] : md[start..end];
    }
}
