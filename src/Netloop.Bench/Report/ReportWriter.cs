using System.Text.Json;

namespace Netloop.Bench.Report;

/// <summary>Writes a run's outputs into its folder: results.json, the PNG charts, report.md (which links the charts) and summary.txt (for CI logs).</summary>
internal static class ReportWriter
{
    /// <summary>The results file's name.</summary>
    public const string ResultsFile = "results.json";

    /// <summary>The report's name.</summary>
    public const string ReportFile = "report.md";

    /// <summary>The plain-text summary's name (see <see cref="SummaryText"/>).</summary>
    public const string SummaryFile = "summary.txt";

    /// <summary>Writes everything; returns the report's path.</summary>
    public static async Task<string> WriteAsync(BenchReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, ResultsFile), JsonSerializer.Serialize(report, BenchJsonContext.Default.BenchReport)).ConfigureAwait(false);
        var charts = Charts.Write(report, folder);
        string path = Path.Combine(folder, ReportFile);
        await File.WriteAllTextAsync(path, MarkdownReport.Render(report, charts)).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, SummaryFile), SummaryText.Render(report)).ConfigureAwait(false);
        return path;
    }

    /// <summary>Reads a results.json back (for tests and for redrawing a report).</summary>
    public static BenchReport? Read(string json) => JsonSerializer.Deserialize(json, BenchJsonContext.Default.BenchReport);
}
