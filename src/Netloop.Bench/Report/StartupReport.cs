using System.Globalization;
using Netloop.Bench.Running;
using Netloop.Bench.Servers;

namespace Netloop.Bench.Report;

/// <summary>
/// The report's start-up sections: per build of each server, the median milliseconds from spawn to first answer and
/// the RSS then, against issue P4's targets; a build that could not run (the NativeAOT binary not published) is a
/// row saying so, and the failure list repeats it.
/// </summary>
internal static class StartupReport
{
    /// <summary>Issue P4's start-up target: first answer within this many milliseconds of the spawn.</summary>
    public const double TargetMilliseconds = 50;

    /// <summary>Issue P4's memory target at that moment: 15 MB, read strictly as 15 × 10^6 bytes.</summary>
    public const long TargetRssBytes = 15_000_000;

    private const string Dash = "–";

    /// <summary>Writes the section of <paramref name="entry"/>, one of the start-up cases.</summary>
    public static void Write(BenchReport report, CaseEntry entry, Action<string> line)
    {
        var results = report.Results.Where(r => r.Case == entry.Name).ToList();
        line($"## {entry.Title} (`{entry.Name}`)");
        line("");
        line(string.Create(CultureInfo.InvariantCulture,
            $"Each build is spawned {BenchRunner.StartupSpawnsPerRound} times a round (after one unmeasured spawn that warms the file cache), the builds taking turns, " +
            $"on the servers' core (forked from a thread pinned there, so no taskset exec is timed). From just before the fork the bench connects in a tight loop on the load's core (a refused connect is retried after " +
            $"{StartupProbe.RetryPause.TotalMilliseconds:0.#} ms) and stops the clock at the first correct answer, then reads the server's RSS (/proc/PID/statm). " +
            $"Medians over every spawn; targets (issue P4): first answer within {TargetMilliseconds:0} ms, RSS under {TargetRssBytes / 1e6:0} MB (10^6 B): *vs target* at or below 1.00× meets it. " +
            $"The AOT build is `{StartupEntrant.AotBinary}`, made by `{StartupEntrant.PublishCommand}`."));
        line("");
        if (results.Count == 0)
        {
            line("No server of this run is measured here (netloop `epoll`, Kestrel and nginx are).");
            line("");
            return;
        }
        line("| server | build | ms to first response | vs 50 ms | RSS at first response | vs 15 MB | spawns (ms) |");
        line("|---|---|---:|---:|---:|---:|---|");
        foreach (var result in results)
        {
            string server = StartupEntrant.ServerOf(result.Server);
            string family = report.Servers.FirstOrDefault(s => s.Name == server)?.Family ?? "";
            string build = result.Median?.Startup?.Build ?? StartupEntrant.BuildOf(result.Server, family);
            if (result.Median?.Startup is not { } startup)
            {
                line($"| {server} | {build} | **{Format.Cell(Describe(result))}** | {Dash} | {Dash} | {Dash} | {Dash} |");
                continue;
            }
            string partial = result.Status == CaseStatus.Partial ? " (partial)" : "";
            line($"| {server} | {build} | {Milliseconds(startup.MillisecondsToFirstResponse)}{partial} | {Format.Ratio(startup.MillisecondsToFirstResponse / TargetMilliseconds)} | " +
                 $"{Megabytes(startup.RssBytes)} | {Format.Ratio(startup.RssBytes / (double)TargetRssBytes)} | {string.Join(" / ", startup.SpawnMilliseconds.Select(Milliseconds))} |");
        }
        line("");

        var aotResult = results.FirstOrDefault(r => r.Server.EndsWith(StartupEntrant.AotSuffix, StringComparison.Ordinal));
        var aot = aotResult?.Median?.Startup;
        var jit = aotResult is null ? null : results.FirstOrDefault(r => r.Server == StartupEntrant.ServerOf(aotResult.Server))?.Median?.Startup;
        if (jit is not null && aot is not null && jit.MillisecondsToFirstResponse > 0 && jit.RssBytes > 0)
        {
            line(string.Create(CultureInfo.InvariantCulture,
                $"AOT against JIT (netloop {StartupEntrant.ServerOf(aotResult!.Server)}): {Format.Ratio(aot.MillisecondsToFirstResponse / jit.MillisecondsToFirstResponse)} the time to first response, " +
                $"{Format.Ratio(aot.RssBytes / (double)jit.RssBytes)} the RSS."));
            line("");
        }
        var commands = results.Where(r => r.Median?.Startup is { Command.Length: > 0 }).ToList();
        if (commands.Count > 0)
        {
            line("Commands (the port changes every spawn): " + string.Join("; ", commands.Select(r => $"{r.Server}: `{r.Median!.Startup!.Command}`")) + ".");
            line("");
        }
    }

    /// <summary><c>12.3 ms</c>.</summary>
    public static string Milliseconds(double milliseconds) => milliseconds.ToString("N1", CultureInfo.InvariantCulture);

    /// <summary><c>8.4 MB</c> (10^6 bytes, the unit of the target).</summary>
    public static string Megabytes(long bytes) => (bytes / 1e6).ToString("N1", CultureInfo.InvariantCulture) + " MB";

    private static string Describe(CaseResult result) => result.Status switch
    {
        CaseStatus.NotRun => result.Failure ?? "not run",
        _ => $"failed: {result.Failure}",
    };
}
