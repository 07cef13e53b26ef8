using System.Globalization;
using System.Text;
using Netloop.Bench.Cases;

namespace Netloop.Bench.Report;

/// <summary>
/// Writes <c>summary.txt</c>: the report's key figures as plain aligned text for a CI log, one small table per
/// throughput and idle case (requests/s with the ratios against the peers, server CPU µs/req, allocated B/req, idle
/// B/connection) and one line per server that failed. Nothing in it is a verdict: it is there so a collapse shows.
/// </summary>
internal static class SummaryText
{
    private const string Dash = "–";
    private const int LongestReason = 120;

    /// <summary>The summary text.</summary>
    public static string Render(BenchReport report)
    {
        var text = new StringBuilder();
        var s = report.Settings;
        string rounds = s.Rounds == 1 ? "1 round" : $"{s.Rounds} rounds (medians)";
        text.Append(string.Create(CultureInfo.InvariantCulture,
                $"netloop bench summary: {rounds}, {Format.Duration(s.DurationSeconds)} per case, {report.Machine.Cores} cores; {report.Machine.Pinning}"))
            .Append(report.Interrupted ? " (interrupted)" : "").Append('\n');
        foreach (var entry in report.Cases)
        {
            var table = entry.Kind switch
            {
                nameof(CaseKind.Throughput) => Throughput(report, entry),
                nameof(CaseKind.Idle) => Idle(report, entry),
                _ => null,
            };
            if (table is not null) Append(text, table);
        }
        return text.ToString();
    }

    private static List<string[]> Throughput(BenchReport report, CaseEntry entry)
    {
        var peers = MarkdownReport.PeersFor(report, entry);
        var rows = new List<string[]>();
        rows.Add([entry.Name, "requests/s", .. peers.Select(p => $"vs {p.Label}"), "CPU µs/req", "alloc B/req", "loop B/req"]);
        foreach (var result in ResultsOf(report, entry))
        {
            if (result.Median is not { } median)
            {
                rows.Add([result.Server, Problem(result)]);
                continue;
            }
            var row = new List<string> { result.Server, Format.Count(median.RequestsPerSecond) };
            foreach (var peer in peers)
            {
                var peerMedian = Find(report, peer.Name, entry.Name)?.Median;
                row.Add(peerMedian is { RequestsPerSecond: > 0 } ? Format.Ratio(median.RequestsPerSecond / peerMedian.RequestsPerSecond) : Dash);
            }
            row.Add(Format.Number(median.ServerCpuMicrosecondsPerRequest));
            row.Add(median.AllocatedBytesPerRequest is { } allocated ? Format.BytesPerRequest(allocated) : Dash);
            row.Add(median.LoopAllocatedBytesPerRequest is { } loops ? Format.BytesPerRequest(loops) : Dash);
            if (result.Status == CaseStatus.Partial) row.Add("(partial)");
            rows.Add([.. row]);
        }
        return rows;
    }

    private static List<string[]> Idle(BenchReport report, CaseEntry entry)
    {
        var peers = MarkdownReport.PeersFor(report, entry);
        var rows = new List<string[]>();
        rows.Add([$"{entry.Name} ({Format.Count(entry.Connections)})", "B/conn", .. peers.Select(p => $"vs {p.Label}"), "cold start", "heap"]);
        foreach (var result in ResultsOf(report, entry))
        {
            if (result.Median?.Idle is not { } idle)
            {
                rows.Add([result.Server, Problem(result)]);
                continue;
            }
            var row = new List<string> { result.Server, Format.Count(idle.BytesPerConnection) };
            foreach (var peer in peers)
            {
                var peerIdle = Find(report, peer.Name, entry.Name)?.Median?.Idle;
                row.Add(peerIdle is { BytesPerConnection: > 0 } ? Format.Ratio(idle.BytesPerConnection / peerIdle.BytesPerConnection) : Dash);
            }
            row.Add(Format.Count(idle.ColdStartBytesPerConnection));
            row.Add(idle.HeapBytesPerConnection is { } heap ? Format.Count(heap) : Dash);
            rows.Add([.. row]);
        }
        return rows;
    }

    // Columns padded to their widest cell: names left-aligned, figures right-aligned. A row of two cells (a server and
    // its failure) is not padded past its name, so a long reason does not widen the table.
    private static void Append(StringBuilder text, List<string[]> rows)
    {
        int columns = rows.Max(r => r.Length);
        var widths = new int[columns];
        foreach (var row in rows.Where((r, i) => i == 0 || r.Length > 2))
        {
            for (int i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        }
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var line = new StringBuilder(r == 0 ? "" : "  ");
            line.Append(row[0].PadRight(widths[0] + (r == 0 ? 2 : 0)));
            if (row.Length == 2 && r > 0)
            {
                line.Append("  ").Append(row[1]);
            }
            else
            {
                for (int i = 1; i < row.Length; i++) line.Append("  ").Append(row[i].PadLeft(widths[i]));
            }
            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
    }

    private static IEnumerable<CaseResult> ResultsOf(BenchReport report, CaseEntry entry) =>
        report.Servers.Select(s => Find(report, s.Name, entry.Name)).OfType<CaseResult>();

    private static CaseResult? Find(BenchReport report, string server, string caseName) =>
        report.Results.FirstOrDefault(r => r.Server == server && r.Case == caseName);

    private static string Problem(CaseResult result)
    {
        string reason = result.Status switch
        {
            CaseStatus.NotRun => result.Failure ?? "not run",
            CaseStatus.Excluded => $"{Dash} ({result.Failure ?? "excluded"})",
            _ => $"FAILED: {result.Failure ?? "no round succeeded"}",
        };
        reason = reason.Replace('\n', ' ');
        return reason.Length <= LongestReason ? reason : string.Concat(reason.AsSpan(0, LongestReason - 1), "…");
    }
}
