using System.Globalization;
using System.Text;

namespace Netloop.Bench.Experiment;

/// <summary>
/// <c>report.md</c> of the experiment: per mode, the clients' outcomes, concurrency reached, peak RSS and its trend, the
/// shutdown audit, wall time; then which designs meet the three promises.
/// </summary>
internal static class ExperimentMarkdown
{
    public static string Render(ExperimentReport report, string? chartFile)
    {
        var text = new StringBuilder();
        void Line(string s = "") => text.Append(s).Append('\n');
        Line($"# The async experiment: {report.Batches:N0} batches × {report.Clients:N0} clients, handler delay {report.HandlerDelayMs.ToString("0.#", CultureInfo.InvariantCulture)} ms");
        Line();
        Line($"Command: `{report.Command}`  ");
        Line($"Machine: {report.Machine}  ");
        Line(string.Create(CultureInfo.InvariantCulture, $"Started {report.StartedUtc:yyyy-MM-dd HH:mm} UTC; the run took {report.ElapsedSeconds:0} s; each mode may take {report.ModeTimeoutSeconds:0} s."));
        Line();
        Line("Each client connects, sends one line, half-closes and reads until EOF; a batch's clients start together and the batch is awaited before the next. The server runs `netloop serve --limit batches×clients --handler-delay D`, so it stops by itself after its last connection and prints its shutdown audit. *Concurrency* = clients × delay ÷ median batch time: about 1 for a serial design, the worker count for a capped one, the batch size for an unbounded one.");
        Line();
        Line("## Results");
        Line();
        Line("| mode | completed | failed | concurrency | median batch | peak RSS | RSS growth, 2nd half | RSS slope rule | shutdown audit | wall time |");
        Line("|---|---:|---:|---:|---:|---:|---:|---|---|---:|");
        foreach (var r in report.Results)
        {
            string failed = r.FailedTotal == 0 ? "0" : $"{r.FailedTotal:N0} ({string.Join(", ", r.Failed.OrderByDescending(f => f.Value).Select(f => $"{f.Key} {f.Value:N0}"))})";
            Line(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Mode} | {r.Completed:N0} | {failed} | {r.EffectiveConcurrency:0.#} | {r.MedianBatchSeconds * 1000:0} ms | {r.PeakRssBytes / 1048576.0:0.0} MiB | {r.SecondHalfGrowthBytes / 1048576.0:+0.0;-0.0;0.0} MiB | {r.RssVerdict} ({r.RssSlopeKbPerMinute:0} KB/min) | {r.ShutdownVerdict.Replace("|", "\\|", StringComparison.Ordinal)} | {r.WallSeconds:0.0} s{(r.TimedOut ? " (timeout)" : "")} |"));
        }
        Line();
        Line("## Which designs meet the three promises");
        Line();
        Line("1 = many concurrent connections (at least half of each batch served at once, every client answered, within the mode's time); 2 = no leaks at shutdown (`leaks: none`); 3 = steady-state memory (the RSS grew by less than 1 MiB over the run's second half; the heap retained after the exit's full GC is in the audit line).");
        Line();
        Line("| mode | 1. concurrency | 2. no leaks | 3. steady memory | all three |");
        Line("|---|---|---|---|---|");
        foreach (var r in report.Results)
        {
            bool all = r.MeetsConcurrency && r.LeakFree && r.MeetsSteadyMemory;
            Line($"| {r.Mode} | {Mark(r.MeetsConcurrency)} | {Mark(r.LeakFree)} | {Mark(r.MeetsSteadyMemory)}{(r.Curve.Count < 10 ? " (run too short to judge)" : "")} | {(all ? "**yes**" : "no")} |");
        }
        if (chartFile is not null)
        {
            Line();
            Line($"![Server RSS over time, one line per mode]({chartFile})");
        }
        return text.ToString();
    }

    private static string Mark(bool ok) => ok ? "yes" : "no";
}
