using System.Globalization;
using System.Text;
using Netloop.Bench.Cases;
using Netloop.Bench.Running;
using Netloop.Bench.Servers;
using Netloop.Load.Runner;

namespace Netloop.Bench.Report;

/// <summary>
/// Writes <c>report.md</c> from a <see cref="BenchReport"/>: the machine and command, the servers and whether they
/// ran, an overview per family, one table per case with ratios against the peers measured in the same run, the idle
/// and soak tables, the charts, and every failure with its reason.
/// </summary>
internal static class MarkdownReport
{
    private const string Dash = "–";

    /// <summary>The report text.</summary>
    public static string Render(BenchReport report, IReadOnlyList<ChartFile> charts)
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line($"# netloop bench, {report.StartedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC");
        Line();
        if (report.Interrupted) Line("**Interrupted:** the run was stopped before the end; what had not run is marked so.\n");
        var m = report.Machine;
        var s = report.Settings;
        Line($"Command: `{report.Command}`  ");
        Line($"Machine: {m.Cores} cores ({m.CpuModel}), {Format.Bytes(m.MemoryBytes)} memory, Linux {m.Kernel}, {m.Dotnet}, RLIMIT_NOFILE {Format.Count(m.OpenFileLimit)}; {m.Pinning}.  ");
        string rounds = s.Rounds == 1 ? "1 round" : $"{s.Rounds} rounds (each visits every server in turn)";
        Line($"Settings: {rounds}, {Format.Duration(s.DurationSeconds)} per case, {Format.Duration(s.WarmupSeconds)} warm-up per server start, " +
             $"{Format.Count(s.IdleConnections)} idle connections{(report.Cases.Any(c => c.Family == CaseCatalog.H2Idle) ? $" ({Format.Count(s.IdleH2Connections)} over HTTP/2)" : "")}{(report.Cases.Any(c => c.Family == CaseCatalog.Soak) ? $", soak {Format.Duration(s.SoakDurationSeconds)}" : "")}" +
             $"{(s.Quick ? " (--quick)" : "")}. The run took {Format.Duration(report.ElapsedSeconds)}.");
        Line();
        Line("Figures are medians over the rounds that succeeded. *vs X* divides a server's figure by peer X's in the same run. " +
             "*Server CPU µs/req* is the CPU time (user + system) of the server's whole process tree during the load, divided by " +
             "the requests completed: lower is better, and unlike requests/s it does not hit the load generator's own ceiling. " +
             "*alloc B/req* is the managed bytes the server process allocated during the load (from the counters it prints on SIGUSR2 " +
             "just before and after) divided by the requests completed, and *loop alloc B/req* the event-loop threads' share: 0 means an " +
             "allocation-free steady state (– for servers that do not report it).");
        // Only when some table has the column: a reference that could not be built is in the servers and failure lists.
        if (report.Results.Any(r => r.Server == ServerCatalog.Reference && r.Median is not null))
        {
            Line();
            Line("*vs C* divides by `c`, the minimal C epoll servers of bench/limit (limit-http, limit-echo): they parse nothing, so it is the " +
                 "distance to the limit on this machine, not a comparison with a peer. `c` runs the echo, plaintext, pipelined and idle cases only.");
        }
        Line();

        WriteServers(report, Line);
        WriteOverview(report, Line);
        foreach (var entry in report.Cases)
        {
            switch (entry.Kind)
            {
                case nameof(CaseKind.Throughput): WriteThroughputCase(report, entry, Line); break;
                case nameof(CaseKind.Idle): WriteIdleCase(report, entry, Line); break;
                case nameof(CaseKind.Soak): WriteSoakCase(report, entry, Line); break;
                case nameof(CaseKind.Startup): StartupReport.Write(report, entry, Line); break;
            }
        }
        if (charts.Count > 0)
        {
            Line("## Charts");
            Line();
            foreach (var chart in charts)
            {
                Line($"![{chart.Title}]({chart.FileName})");
                Line();
            }
        }
        WriteFailures(report, Line);
        return md.ToString();
    }

    private static void WriteServers(BenchReport report, Action<string> line)
    {
        line("## Servers");
        line("");
        line("| server | what | status |");
        line("|---|---|---|");
        foreach (var server in report.Servers)
        {
            string status = server.Version is null ? server.Status : $"{server.Status} ({server.Version})";
            line($"| {server.Name} | {Format.Cell(server.Description)} | {Format.Cell(status)} |");
        }
        line("");
    }

    private static void WriteOverview(BenchReport report, Action<string> line)
    {
        foreach (string family in new[] { CaseCatalog.Echo, CaseCatalog.Plaintext })
        {
            var cases = report.Cases.Where(c => c.Family == family).ToList();
            if (cases.Count < 2) continue;
            string title = family == CaseCatalog.Echo ? "Echo" : "HTTP plaintext";
            line($"## {title}: requests/s by connections");
            line("");
            line("| server | " + string.Join(" | ", cases.Select(c => Format.Count(c.Connections))) + " |");
            line("|---|" + string.Concat(cases.Select(_ => "---:|")));
            foreach (var server in ServersOf(report, cases[0]))
            {
                var cells = cases.Select(c => Find(report, server.Name, c.Name) is { } r ? (r.Median is { } med ? Format.Count(med.RequestsPerSecond) : Short(r)) : Dash);
                line($"| {server.Name} | " + string.Join(" | ", cells) + " |");
            }
            line("");
        }
    }

    private static void WriteThroughputCase(BenchReport report, CaseEntry entry, Action<string> line)
    {
        var peers = PeersFor(report, entry);
        bool echo = entry.Protocol == nameof(LoadProtocol.Echo);
        bool http2 = entry.Protocol == nameof(LoadProtocol.Http2);
        line($"## {entry.Title} (`{entry.Name}`)");
        line("");
        if (http2)
        {
            line($"Driven by h2load over h2c (HTTP/2 by prior knowledge): `h2load -t 1 -c {entry.Connections} -m {entry.Pipeline} -D {H2LoadDuration(report.Settings.DurationSeconds)} http://127.0.0.1:PORT{PathOf(entry)}`, pinned like `netloop load`. " +
                 "h2load gives no percentiles: *mean* is its mean time per request. A round with any failed, errored or timed-out request, or any answer not 2xx, is a failed round.");
            line("");
        }
        var header = new List<string> { "server", "requests/s" };
        if (echo) header.Add("MB/s");
        header.AddRange(peers.Select(p => $"vs {p.Label}"));
        bool allocations = report.Results.Any(r => r.Case == entry.Name && r.Median?.AllocatedBytesPerRequest is not null);
        header.Add("server CPU µs/req");
        if (allocations) header.AddRange(["alloc B/req", "loop alloc B/req"]);
        header.AddRange(http2 ? ["mean", "errors", "rounds (requests/s)"] : ["p50", "p99", "errors", "rounds (requests/s)"]);
        line("| " + string.Join(" | ", header) + " |");
        line("|---|" + string.Concat(header.Skip(1).Select(_ => "---:|")));
        foreach (var server in ServersOf(report, entry))
        {
            var result = Find(report, server.Name, entry.Name);
            var cells = new List<string> { server.Name };
            if (result?.Status == CaseStatus.Excluded)
            {
                cells.AddRange(Enumerable.Repeat(Dash, header.Count - 1));
            }
            else if (result?.Median is not { } median)
            {
                cells.Add($"**{Format.Cell(Long(result))}**");
                cells.AddRange(Enumerable.Repeat(Dash, header.Count - 2));
            }
            else
            {
                cells.Add(Format.Count(median.RequestsPerSecond) + (result.Status == CaseStatus.Partial ? " (partial)" : ""));
                if (echo) cells.Add(Format.Number(median.MegabytesPerSecond));
                foreach (var peer in peers)
                {
                    var peerMedian = Find(report, peer.Name, entry.Name)?.Median;
                    cells.Add(peerMedian is { RequestsPerSecond: > 0 } ? Format.Ratio(median.RequestsPerSecond / peerMedian.RequestsPerSecond) : Dash);
                }
                cells.Add(Format.Number(median.ServerCpuMicrosecondsPerRequest));
                if (allocations)
                {
                    cells.Add(median.AllocatedBytesPerRequest is { } allocated ? Format.BytesPerRequest(allocated) : Dash);
                    cells.Add(median.LoopAllocatedBytesPerRequest is { } loops ? Format.BytesPerRequest(loops) : Dash);
                }
                if (http2)
                {
                    cells.Add(median.MeanLatencyUs is { } mean ? Format.Latency(mean) : Dash);
                }
                else
                {
                    cells.Add(Format.Latency(median.P50Us));
                    cells.Add(Format.Latency(median.P99Us));
                }
                cells.Add(median.Errors == 0 ? "0" : Format.Count(median.Errors));
                cells.Add(string.Join(" / ", result.Rounds.Select(r => r.Ok ? Format.Count(r.RequestsPerSecond) : "failed")));
            }
            line("| " + string.Join(" | ", cells) + " |");
        }
        line("");
        WriteExclusions(report, entry, line);
        if (report.Servers.Any(s => s.Name == "serial") && entry.Connections > 1)
        {
            line("`serial` serves one connection at a time while the others wait in the listen backlog: its latencies cover only the requests that completed.");
            line("");
        }
        if (echo && report.Servers.Any(s => s.Family is nameof(ServerFamily.Kestrel) or nameof(ServerFamily.Nginx)))
        {
            string limit = peers.Any(p => p.Name == ServerCatalog.Reference) ? " and the limit, `c` (limit-echo)" : "";
            line($"Kestrel and nginx are HTTP-only peers: echo compares Netloop's modes, against `sockets` (.NET's async Socket API){limit}.");
            line("");
        }
        WriteReferenceAbsence(report, entry, line);
    }

    // The servers a "–" row stands for, each with its reason (BenchPlan.Exclusion): no failure, so not in the failure list.
    private static void WriteExclusions(BenchReport report, CaseEntry entry, Action<string> line)
    {
        var excluded = report.Results.Where(r => r.Case == entry.Name && r.Status == CaseStatus.Excluded).ToList();
        if (excluded.Count == 0) return;
        var reasons = excluded.GroupBy(r => r.Failure ?? "excluded").Select(g => $"{string.Join(", ", g.Select(r => $"`{r.Server}`"))}: {g.Key}");
        line($"{Dash} not measured in this case, by design: {Format.Cell(string.Join("; ", reasons))}.");
        line("");
    }

    private static string H2LoadDuration(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(seconds * 1000):0}ms");

    private static string PathOf(CaseEntry entry) => entry.Family == CaseCatalog.H2Json ? "/json" : "/plaintext";

    // The C reference is left out of the cases it cannot serve (ServerSpec.Runs): say so where its row would be.
    private static void WriteReferenceAbsence(BenchReport report, CaseEntry entry, Action<string> line)
    {
        if (!report.Servers.Any(s => s.Name == ServerCatalog.Reference) || Find(report, ServerCatalog.Reference, entry.Name) is not null) return;
        line("`c` does not run this case: limit-http parses nothing (no routing, no `Connection: close`), so it takes part in echo, plaintext, pipelined and idle only.");
        line("");
    }

    private static void WriteIdleCase(BenchReport report, CaseEntry entry, Action<string> line)
    {
        var peers = PeersFor(report, entry);
        line($"## {entry.Title} (`{entry.Name}`)");
        line("");
        if (entry.Protocol == nameof(LoadProtocol.Http2))
        {
            line($"Bytes per idle HTTP/2 connection = (server RSS with {Format.Count(entry.Connections)} idle HTTP/2 connections open − server RSS before the first) / " +
                 $"{Format.Count(entry.Connections)}: the server is started (Kestrel and nginx on an HTTP/2-only cleartext endpoint), warmed by {IdleWarmup.Connections * IdleWarmup.RequestsPerConnection} GETs over HTTP/2 " +
                 $"({IdleWarmup.Connections} connections × {IdleWarmup.RequestsPerConnection} streams), its RSS read; then `netloop load --target h2c://… --idle` opens the connections {LoadOptions.DefaultIdleBatch} at a time, " +
                 "each sends the client preface and an empty SETTINGS, acknowledges the server's SETTINGS, waits for the server to acknowledge its own, and stays open and silent (no stream); the RSS is read again while the server holds them all. " +
                 "*From a cold start* and *heap* as in the HTTP/1.1 idle case.");
        }
        else
        {
            line($"Bytes per idle connection = (server RSS with {Format.Count(entry.Connections)} idle keep-alive connections open − server RSS before the first) / " +
             $"{Format.Count(entry.Connections)}, measured as a user would: the server is started, warmed by {IdleWarmup.Connections * IdleWarmup.RequestsPerConnection} requests, its RSS read from /proc; " +
             $"then the connections open {LoadOptions.DefaultIdleBatch} at a time, each from a 127.0.0.x source address, each makes one request, reads the answer and stays open and silent; the RSS is read again while the server holds them all. " +
             "*From a cold start* is the same with the RSS before read right after start-up, before any request (the bench's method until P6); *heap* is the managed heap's growth per connection from the server's SIGUSR2 stats line (uncollected garbage included; netloop and Kestrel only).");
        }
        line("");
        var header = new List<string> { "server", "bytes per idle connection" };
        header.AddRange(peers.Select(p => $"vs {p.Label}"));
        header.AddRange(["from a cold start", "heap", "RSS cold", "RSS before", "RSS with connections", "connections open", "server fds added", "server threads", "processes (server/load)", "rounds (B/connection)"]);
        line("| " + string.Join(" | ", header) + " |");
        line("|---|" + string.Concat(header.Skip(1).Select(_ => "---:|")));
        foreach (var server in ServersOf(report, entry))
        {
            var result = Find(report, server.Name, entry.Name);
            var cells = new List<string> { server.Name };
            var idle = result?.Median?.Idle ?? result?.Rounds.LastOrDefault(r => r.Idle is not null)?.Idle;
            if (result?.Status == CaseStatus.Excluded)
            {
                line("| " + string.Join(" | ", cells.Concat(Enumerable.Repeat(Dash, header.Count - 1))) + " |");
                continue;
            }
            if (result?.Median is null)
            {
                cells.Add($"**{Format.Cell(Long(result))}**");
                cells.AddRange(peers.Select(_ => Dash));
            }
            else
            {
                cells.Add(Format.Count(idle!.BytesPerConnection) + " B" + (result.Status == CaseStatus.Partial ? " (partial)" : ""));
                foreach (var peer in peers)
                {
                    var peerIdle = Find(report, peer.Name, entry.Name)?.Median?.Idle;
                    cells.Add(peerIdle is { BytesPerConnection: > 0 } ? Format.Ratio(idle.BytesPerConnection / peerIdle.BytesPerConnection) : Dash);
                }
            }
            // A failed round still says what it saw (how many connections the server held): keep those figures.
            if (idle is null)
            {
                cells.AddRange(Enumerable.Repeat(Dash, 9));
            }
            else
            {
                cells.Add(Format.Count(idle.ColdStartBytesPerConnection) + " B");
                cells.Add(idle.HeapBytesPerConnection is { } heap ? Format.Count(heap) + " B" : Dash);
                cells.Add(Format.Bytes(idle.RssColdBytes));
                cells.Add(Format.Bytes(idle.RssBeforeBytes));
                cells.Add(Format.Bytes(idle.RssWithConnectionsBytes));
                cells.Add(Format.Count(idle.ConnectionsOpen));
                cells.Add(idle.ServerFdsAdded < 0 ? "?" : Format.Count(idle.ServerFdsAdded));
                cells.Add(Format.Count(idle.ServerThreads));
                cells.Add($"{idle.ServerProcesses}/{idle.LoadProcesses}");
            }
            cells.Add(result is null ? Dash : string.Join(" / ", result.Rounds.Select(r => r.Ok && r.Idle is not null ? Format.Count(r.Idle.BytesPerConnection) : "failed")));
            line("| " + string.Join(" | ", cells) + " |");
        }
        line("");
        WriteExclusions(report, entry, line);
    }

    private static void WriteSoakCase(BenchReport report, CaseEntry entry, Action<string> line)
    {
        line($"## {entry.Title} (`{entry.Name}`)");
        line("");
        line($"One run per server of {Format.Duration(report.Settings.SoakDurationSeconds)}. Verdict from the least-squares RSS slope over the second half " +
             "(`netloop load --monitor-pid`: *growing* when the slope exceeds both 1 MB/min and 2 % of the mean RSS per minute, " +
             "and the fitted growth exceeds 3× the scatter around the line, so a GC sawtooth is not taken for a leak).");
        line("");
        line("| server | verdict | RSS slope, 2nd half | RSS start | RSS end | RSS peak | requests/s | server CPU µs/req | errors |");
        line("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var server in ServersOf(report, entry))
        {
            var result = Find(report, server.Name, entry.Name);
            if (result?.Median is not { Soak: { } soak } median)
            {
                line($"| {server.Name} | **{Format.Cell(Long(result))}** |" + string.Concat(Enumerable.Repeat($" {Dash} |", 7)));
                continue;
            }
            line($"| {server.Name} | {soak.Verdict} | {Format.Number(soak.SlopeKbPerMinute)} KB/min | {Format.Bytes(soak.RssStartBytes)} | {Format.Bytes(soak.RssEndBytes)} | " +
                 $"{Format.Bytes(soak.RssPeakBytes)} | {Format.Count(median.RequestsPerSecond)} | {Format.Number(median.ServerCpuMicrosecondsPerRequest)} | {Format.Count(median.Errors)} |");
        }
        line("");
        WriteReferenceAbsence(report, entry, line);
    }

    private static void WriteFailures(BenchReport report, Action<string> line)
    {
        var failures = report.Results.Where(r => r.Status is not (CaseStatus.Ok or CaseStatus.Excluded)).ToList();
        line("## Failures and servers that did not run");
        line("");
        if (failures.Count == 0)
        {
            line("None: every server ran every case.");
            line("");
            return;
        }
        foreach (var result in failures)
        {
            line($"- **{result.Server}**, `{result.Case}`: {Format.Cell(Long(result))}");
            foreach (var round in result.Rounds.Where(r => !r.Ok && result.Rounds.Count > 1))
            {
                line($"  - round {round.Round}: {Format.Cell(round.Failure ?? "failed")}");
            }
        }
        line("");
    }

    /// <summary>
    /// The peers a case's figures are divided by: Kestrel and nginx for HTTP (when asked for), the sockets mode for
    /// echo, then for either the C reference, but only when it was measured in this case (it sits out JSON and churn,
    /// and a column of dashes for a reference that could not be built would say nothing the failure list does not).
    /// </summary>
    internal static IReadOnlyList<(string Name, string Label)> PeersFor(BenchReport report, CaseEntry entry)
    {
        var names = entry.Protocol == nameof(LoadProtocol.Echo)
            ? new[] { ("sockets", "sockets") }
            : new[] { (ServerCatalog.Kestrel, "Kestrel"), (ServerCatalog.Nginx, "nginx") };
        var peers = names.Where(p => report.Servers.Any(s => s.Name == p.Item1)).ToList();
        if (Find(report, ServerCatalog.Reference, entry.Name)?.Median is not null) peers.Add((ServerCatalog.Reference, "C"));
        return peers;
    }

    private static IEnumerable<ServerEntry> ServersOf(BenchReport report, CaseEntry entry) =>
        report.Servers.Where(s => report.Results.Any(r => r.Server == s.Name && r.Case == entry.Name));

    private static CaseResult? Find(BenchReport report, string server, string caseName) =>
        report.Results.FirstOrDefault(r => r.Server == server && r.Case == caseName);

    // "not installed", "failed: …" in full, for the case tables and the failure list.
    private static string Long(CaseResult? result) => result switch
    {
        null => "not run",
        { Status: CaseStatus.NotRun } => result.Failure ?? "not run",
        { Status: CaseStatus.Excluded } => $"{Dash} ({result.Failure ?? "excluded"})",
        { Status: CaseStatus.Failed } => $"failed: {result.Failure}",
        { Status: CaseStatus.Partial } => $"partial: {result.Failure}",
        _ => "ok",
    };

    // A word for the overview matrix; the reason is in the case table.
    private static string Short(CaseResult result) =>
        result.Status == CaseStatus.NotRun ? (result.Failure ?? "not run").Split(':')[0] : "failed";
}
