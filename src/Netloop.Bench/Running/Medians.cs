using Netloop.Bench.Report;

namespace Netloop.Bench.Running;

/// <summary>
/// Turns the rounds of one server and case into a <see cref="CaseResult"/>: medians over the rounds that succeeded,
/// since this host is noisy and one round in a burst of steal should not move the figure.
/// </summary>
internal static class Medians
{
    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count); 0 when empty.</summary>
    public static double Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return 0;
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The median of the values present; null when none is (a figure the server did not report in any round).</summary>
    public static double? MedianOrNull(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        return present.Count == 0 ? null : Of(present);
    }

    /// <summary>The result of <paramref name="server"/> in <paramref name="caseName"/> from its rounds.</summary>
    /// <param name="server">Server name.</param>
    /// <param name="caseName">Case name.</param>
    /// <param name="rounds">Every round measured (none when the run never got there).</param>
    /// <param name="notRunReason">Why there are no rounds, when there are none.</param>
    public static CaseResult Summarize(string server, string caseName, IReadOnlyList<Measurement> rounds, string notRunReason)
    {
        if (rounds.Count == 0)
        {
            return new CaseResult { Server = server, Case = caseName, Status = CaseStatus.NotRun, Failure = notRunReason };
        }
        var ok = rounds.Where(r => r.Ok).ToList();
        if (ok.Count == 0)
        {
            return new CaseResult { Server = server, Case = caseName, Status = CaseStatus.Failed, Failure = rounds[0].Failure, Rounds = rounds };
        }
        var failed = rounds.Where(r => !r.Ok).ToList();
        return new CaseResult
        {
            Server = server,
            Case = caseName,
            Status = failed.Count == 0 ? CaseStatus.Ok : CaseStatus.Partial,
            Failure = failed.Count == 0 ? null : $"{failed.Count} of {rounds.Count} rounds failed: {failed[0].Failure}",
            Median = Median(ok),
            Rounds = rounds,
        };
    }

    /// <summary>Field-by-field medians of successful rounds (each field on its own, so the result need not be one round).</summary>
    public static Measurement Median(IReadOnlyList<Measurement> ok)
    {
        double M(Func<Measurement, double> field) => Of(ok.Select(field));
        var idle = ok.Where(r => r.Idle is not null).Select(r => r.Idle!).ToList();
        return new Measurement
        {
            Round = 0,
            Ok = true,
            RequestsPerSecond = M(r => r.RequestsPerSecond),
            MegabytesPerSecond = M(r => r.MegabytesPerSecond),
            Requests = (long)M(r => r.Requests),
            DurationSeconds = M(r => r.DurationSeconds),
            ServerCpuSeconds = M(r => r.ServerCpuSeconds),
            ServerCpuMicrosecondsPerRequest = M(r => r.ServerCpuMicrosecondsPerRequest),
            AllocatedBytesPerRequest = MedianOrNull(ok.Select(r => r.AllocatedBytesPerRequest)),
            LoopAllocatedBytesPerRequest = MedianOrNull(ok.Select(r => r.LoopAllocatedBytesPerRequest)),
            P50Us = M(r => r.P50Us),
            P99Us = M(r => r.P99Us),
            P999Us = M(r => r.P999Us),
            MeanLatencyUs = MedianOrNull(ok.Select(r => r.MeanLatencyUs)),
            Errors = ok.Sum(r => r.Errors),
            ConnectionsOpened = (long)M(r => r.ConnectionsOpened),
            Idle = idle.Count == 0 ? null : new IdleMeasurement
            {
                Connections = idle[0].Connections,
                ConnectionsOpen = (long)Of(idle.Select(i => (double)i.ConnectionsOpen)),
                ServerProcesses = idle[0].ServerProcesses,
                LoadProcesses = idle[0].LoadProcesses,
                RssColdBytes = (long)Of(idle.Select(i => (double)i.RssColdBytes)),
                RssBeforeBytes = (long)Of(idle.Select(i => (double)i.RssBeforeBytes)),
                RssWithConnectionsBytes = (long)Of(idle.Select(i => (double)i.RssWithConnectionsBytes)),
                BytesPerConnection = Of(idle.Select(i => i.BytesPerConnection)),
                ColdStartBytesPerConnection = Of(idle.Select(i => i.ColdStartBytesPerConnection)),
                HeapBytesPerConnection = MedianOrNull(idle.Select(i => i.HeapBytesPerConnection)),
                ServerFdsAdded = (long)Of(idle.Select(i => (double)i.ServerFdsAdded)),
                ServerThreads = (int)Of(idle.Select(i => (double)i.ServerThreads)),
            },
            // A soak runs once: its curve is the round's own.
            Soak = ok.Select(r => r.Soak).FirstOrDefault(s => s is not null),
            Startup = StartupOf(ok),
        };
    }

    // Start-up pools the spawns of every round: the median of all of them, not a median of round medians.
    private static StartupMeasurement? StartupOf(IReadOnlyList<Measurement> ok)
    {
        var rounds = ok.Where(r => r.Startup is not null).Select(r => r.Startup!).ToList();
        if (rounds.Count == 0) return null;
        var milliseconds = rounds.SelectMany(s => s.SpawnMilliseconds).ToList();
        var rss = rounds.SelectMany(s => s.SpawnRssBytes).ToList();
        return rounds[0] with
        {
            MillisecondsToFirstResponse = Of(milliseconds),
            RssBytes = (long)Of(rss.Select(b => (double)b)),
            SpawnMilliseconds = milliseconds,
            SpawnRssBytes = rss,
        };
    }
}
