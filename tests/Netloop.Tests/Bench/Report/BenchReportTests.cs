using Netloop.Bench.Report;
using Netloop.Bench.Running;

namespace Netloop.Tests.Bench.Report;

/// <summary>report.md, results.json and the charts drawn from hand-made results: ratios, medians, failures.</summary>
public sealed class BenchReportTests
{
    [Fact]
    public void Median_of_odd_and_even_counts_and_of_nothing()
    {
        Assert.Equal(3, Medians.Of([5, 1, 3]));
        Assert.Equal(2.5, Medians.Of([4, 1, 3, 2]));
        Assert.Equal(0, Medians.Of([]));
    }

    [Fact]
    public void Summary_takes_medians_over_the_rounds_that_succeeded_and_says_which_failed()
    {
        var result = Medians.Summarize("threads", "plaintext-256",
            [SyntheticResults.Round(1, 50_000), SyntheticResults.Failed(2, "killed"), SyntheticResults.Round(3, 70_000)], "unused");

        Assert.Equal(CaseStatus.Partial, result.Status);
        Assert.Equal(60_000, result.Median!.RequestsPerSecond);
        Assert.Contains("1 of 3 rounds failed: killed", result.Failure, StringComparison.Ordinal);
        Assert.Equal(3, result.Rounds.Count);
    }

    [Fact]
    public void Summary_of_only_failures_is_failed_with_the_first_reason_and_no_median()
    {
        var result = Medians.Summarize("serial", "idle", [SyntheticResults.Failed(1, "first"), SyntheticResults.Failed(2, "second")], "unused");

        Assert.Equal(CaseStatus.Failed, result.Status);
        Assert.Equal("first", result.Failure);
        Assert.Null(result.Median);
    }

    [Fact]
    public void Summary_without_rounds_is_not_run_with_the_reason()
    {
        var result = Medians.Summarize("nginx", "plaintext-256", [], "not installed");

        Assert.Equal(CaseStatus.NotRun, result.Status);
        Assert.Equal("not installed", result.Failure);
    }

    [Fact]
    public void Plaintext_table_gives_the_median_and_ratios_against_kestrel_and_nginx()
    {
        string md = MarkdownReport.Render(SyntheticResults.Report(), []);
        string table = Section(md, "`plaintext-256`");

        Assert.Contains("| server | requests/s | vs Kestrel | vs nginx |", table, StringComparison.Ordinal);
        // epoll: median 300,000; Kestrel 100,000 → 3.00×; nginx 150,000 → 2.00×.
        Assert.Contains("| epoll | 300,000 | 3.00× | 2.00× |", table, StringComparison.Ordinal);
        Assert.Contains("| kestrel | 100,000 | 1.00× | 0.67× |", table, StringComparison.Ordinal);
        Assert.Contains("| nginx | 150,000 | 1.50× | 1.00× |", table, StringComparison.Ordinal);
        Assert.Contains("300,000 / 310,000 / 290,000", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Failures_are_shown_in_the_table_and_listed_with_their_reasons()
    {
        string md = MarkdownReport.Render(SyntheticResults.Report(), []);
        string table = Section(md, "`plaintext-256`");

        Assert.Contains("| serial | **failed: server exited with code 134: boom** |", table, StringComparison.Ordinal);
        Assert.Contains("| threads | 60,000 (partial) |", table, StringComparison.Ordinal);
        Assert.Contains("50,000 / failed / 70,000", table, StringComparison.Ordinal);

        string failures = Section(md, "## Failures");
        Assert.Contains("**serial**, `plaintext-256`: failed: server exited with code 134: boom", failures, StringComparison.Ordinal);
        Assert.Contains("**threads**, `plaintext-256`: partial: 1 of 3 rounds failed: load did not finish within 40 s; killed", failures, StringComparison.Ordinal);
        Assert.Contains("**serial**, `idle`: failed: only 4,097 of 10,000 connections opened", failures, StringComparison.Ordinal);
    }

    [Fact]
    public void A_peer_that_is_not_installed_is_listed_as_such_everywhere_and_its_ratio_column_is_empty()
    {
        string md = MarkdownReport.Render(SyntheticResults.Report(nginxInstalled: false), []);

        Assert.Contains("| nginx | nginx, 1 worker", Section(md, "## Servers"), StringComparison.Ordinal);
        Assert.Contains("| not installed |", Section(md, "## Servers"), StringComparison.Ordinal);
        string table = Section(md, "`plaintext-256`");
        Assert.Contains("| nginx | **not installed** |", table, StringComparison.Ordinal);
        Assert.Contains("| epoll | 300,000 | 3.00× | – |", table, StringComparison.Ordinal);
        Assert.Contains("**nginx**, `plaintext-256`: not installed", Section(md, "## Failures"), StringComparison.Ordinal);
        Assert.Contains("| nginx | not installed | not installed |", Section(md, "## HTTP plaintext: requests/s by connections"), StringComparison.Ordinal);
    }

    [Fact]
    public void Echo_tables_leave_out_the_http_only_peers_and_compare_with_sockets_when_it_ran()
    {
        string md = MarkdownReport.Render(SyntheticResults.Report(), []);
        string table = Section(md, "`echo-256`");

        Assert.DoesNotContain("| kestrel |", table, StringComparison.Ordinal);
        Assert.DoesNotContain("| nginx |", table, StringComparison.Ordinal);
        Assert.DoesNotContain("vs Kestrel", table, StringComparison.Ordinal);
        Assert.Contains("HTTP-only peers", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Idle_table_gives_bytes_per_connection_and_ratios()
    {
        string md = MarkdownReport.Render(SyntheticResults.Report(), []);
        string table = Section(md, "`idle`");

        // epoll median 290 B; Kestrel 2,900 B → 0.10×; nginx 600 B → 0.48×.
        Assert.Contains("| epoll | 290 B | 0.10× | 0.48× |", table, StringComparison.Ordinal);
        // Beside it the figure from a cold start (RSS 2 MB lower before the warm-up) and the heap column, empty here.
        Assert.Contains("| 490 B | – |", table.Split('\n').Single(l => l.StartsWith("| epoll |", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("from a cold start", table, StringComparison.Ordinal);
        Assert.Contains("| serial | **failed: only 4,097 of 10,000 connections opened** |", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Tables_divide_by_the_c_reference_where_it_was_measured()
    {
        string md = MarkdownReport.Render(SyntheticResults.Report(reference: true), []);

        string plaintext = Section(md, "`plaintext-256`");
        Assert.Contains("| server | requests/s | vs Kestrel | vs nginx | vs C | server CPU µs/req |", plaintext, StringComparison.Ordinal);
        // epoll 300,000 against c's 600,000 → 0.50×; c against Kestrel's 100,000 → 6.00×.
        Assert.Contains("| epoll | 300,000 | 3.00× | 2.00× | 0.50× |", plaintext, StringComparison.Ordinal);
        Assert.Contains("| c | 600,000 | 6.00× | 4.00× | 1.00× |", plaintext, StringComparison.Ordinal);
        Assert.DoesNotContain("`c` does not run this case", plaintext, StringComparison.Ordinal);

        string echo = Section(md, "`echo-256`");
        Assert.Contains("| server | requests/s | MB/s | vs C | server CPU µs/req |", echo, StringComparison.Ordinal);
        Assert.Contains("| epoll | 200,000 | 819 | 0.50× |", echo, StringComparison.Ordinal);
        Assert.Contains("against `sockets` (.NET's async Socket API) and the limit, `c` (limit-echo).", echo, StringComparison.Ordinal);

        // Every round of c failed in echo-1024: no column of dashes, the failure in its row.
        string failedEcho = Section(md, "`echo-1024`");
        Assert.DoesNotContain("vs C", failedEcho, StringComparison.Ordinal);
        Assert.Contains("| c | **failed: server exited with code 139** |", failedEcho, StringComparison.Ordinal);
        Assert.Contains("(.NET's async Socket API).", failedEcho, StringComparison.Ordinal);

        // epoll 290 B against c's 20 B per idle connection.
        Assert.Contains("| epoll | 290 B | 0.10× | 0.48× | 14.5× |", Section(md, "`idle`"), StringComparison.Ordinal);
        Assert.Contains("| c | minimal C epoll server", Section(md, "## Servers"), StringComparison.Ordinal);
        Assert.Contains("*vs C* divides by `c`", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_has_the_vs_c_column_where_c_was_measured()
    {
        var lines = SummaryText.Render(SyntheticResults.Report(reference: true)).Split('\n');
        int plaintext = Array.FindIndex(lines, l => l.StartsWith("plaintext-256 ", StringComparison.Ordinal));
        Assert.Contains("vs C", lines[plaintext], StringComparison.Ordinal);
        Assert.Contains(lines, l => Columns(l) is ["epoll", "300,000", "3.00×", "2.00×", "0.50×", ..]);
        Assert.Contains(lines, l => Columns(l) is ["c", "600,000", "6.00×", "4.00×", "1.00×", ..]);
        Assert.DoesNotContain("vs C", lines.Single(l => l.StartsWith("echo-1024 ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_measured_c_there_is_no_vs_c_column_anywhere()
    {
        foreach (var report in new[] { SyntheticResults.Report(), SyntheticResults.Report(reference: true, referenceBuilt: false) })
        {
            string md = MarkdownReport.Render(report, []);
            Assert.DoesNotContain("vs C", md, StringComparison.Ordinal);
            Assert.DoesNotContain("vs C", SummaryText.Render(report), StringComparison.Ordinal);
            Assert.Contains("| epoll | 300,000 | 3.00× | 2.00× | 5.0 |", Section(md, "`plaintext-256`"), StringComparison.Ordinal);
        }

        string missing = MarkdownReport.Render(SyntheticResults.Report(reference: true, referenceBuilt: false), []);
        Assert.Contains($"| c | **{SyntheticResults.ReferenceMissing}** |", Section(missing, "`plaintext-256`"), StringComparison.Ordinal);
        Assert.Contains($"**c**, `idle`: {SyntheticResults.ReferenceMissing}", Section(missing, "## Failures"), StringComparison.Ordinal);
        Assert.Contains("Kestrel and nginx are HTTP-only peers: echo compares Netloop's modes, against `sockets` (.NET's async Socket API).", missing, StringComparison.Ordinal);
    }

    [Fact]
    public void Cases_the_c_reference_sits_out_say_why_where_its_row_would_be()
    {
        string md = MarkdownReport.Render(SyntheticResults.Report(withSoak: true, reference: true), []);

        string soak = Section(md, "`soak`");
        Assert.DoesNotContain("| c |", soak, StringComparison.Ordinal);
        Assert.Contains("`c` does not run this case: limit-http parses nothing", soak, StringComparison.Ordinal);
        Assert.DoesNotContain("`c` does not run this case", MarkdownReport.Render(SyntheticResults.Report(withSoak: true), []), StringComparison.Ordinal);
    }

    [Fact]
    public void Header_names_the_machine_and_the_exact_command()
    {
        string md = MarkdownReport.Render(SyntheticResults.Report(), []);

        Assert.Contains("`netloop bench --rounds 3`", md, StringComparison.Ordinal);
        Assert.Contains("2 cores (Test CPU)", md, StringComparison.Ordinal);
        Assert.Contains("Linux 6.18.0", md, StringComparison.Ordinal);
        Assert.Contains(".NET 10.0.0", md, StringComparison.Ordinal);
        Assert.Contains("2026-11-23", md, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Results_json_round_trips()
    {
        var report = SyntheticResults.Report(withSoak: true);
        string folder = Directory.CreateTempSubdirectory("netloop-bench-test-").FullName;
        try
        {
            await ReportWriter.WriteAsync(report, folder);
            var back = ReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.ResultsFile)));

            Assert.NotNull(back);
            Assert.Equal(report.Command, back.Command);
            Assert.Equal(report.Results.Count, back.Results.Count);
            var epoll = back.Results.Single(r => r.Server == "epoll" && r.Case == "plaintext-256");
            Assert.Equal(300_000, epoll.Median!.RequestsPerSecond);
            Assert.Equal(3, epoll.Rounds.Count);
            Assert.Equal(60, back.Results.Single(r => r.Server == "epoll" && r.Case == "soak").Median!.Soak!.Curve.Count);
            Assert.Contains("\"requestsPerSecond\"", await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.ResultsFile)), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Charts_are_png_files_linked_from_the_report_even_when_a_chart_has_no_data()
    {
        var report = SyntheticResults.Report(nginxInstalled: false, withSoak: true);
        // Every idle round failed: the idle chart must still be drawn, saying so.
        report = report with
        {
            Results = report.Results.Select(r => r.Case == "idle" ? Medians.Summarize(r.Server, "idle", [SyntheticResults.Failed(1, "no")], "unused") : r).ToList(),
        };
        string folder = Directory.CreateTempSubdirectory("netloop-bench-test-").FullName;
        try
        {
            string path = await ReportWriter.WriteAsync(report, folder);
            string md = await File.ReadAllTextAsync(path);

            string[] expected = ["requests-echo.png", "p99-echo.png", "requests-plaintext.png", "p99-plaintext.png", "idle-rss-per-connection.png", "soak-rss.png"];
            foreach (string chart in expected)
            {
                Assert.Contains($"]({chart})", md, StringComparison.Ordinal);
                AssertPng(Path.Combine(folder, chart));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    internal static void AssertPng(string path)
    {
        Assert.True(File.Exists(path), $"missing chart {path}");
        byte[] head = new byte[8];
        using (var file = File.OpenRead(path))
        {
            Assert.Equal(8, file.Read(head, 0, 8));
            Assert.True(file.Length > 1000, $"{path} is only {file.Length} bytes");
        }
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, head);
    }

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    // The text from the heading (or line) holding `marker` to the next "## " heading.
    private static string Section(string md, string marker)
    {
        int start = md.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no '{marker}' in the report:\n{md}");
        int end = md.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? md[start..] : md[start..end];
    }
}
