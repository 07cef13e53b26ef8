using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Netloop.Bench.Cases;
using Netloop.Bench.Report;
using Netloop.Bench.Servers;
using Netloop.Load.Results;

namespace Netloop.Bench.Running;

/// <summary>
/// Runs a <see cref="BenchPlan"/>: prepares every server, then for each round visits each server in turn, starting it
/// once per protocol (echo, then HTTP/1.1 with <c>netloop load</c>, then HTTP/2 with h2load) and once more, fresh, for
/// each idle case; the soak runs once per server after the rounds. Every server and case that cannot run is recorded
/// with its reason; nothing is skipped silently (a case a server does not take part in, see <see cref="ServerSpec.Runs"/>,
/// is no row of the results at all, except in the HTTP/2 cases, where it is an "excluded" row with the reason: see
/// <see cref="BenchPlan.Exclusion"/>).
/// </summary>
internal sealed partial class BenchRunner
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_idleSettle = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_idleSampleInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_soakSampleInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_statsTimeout = TimeSpan.FromSeconds(5);

    private readonly BenchPlan _plan;
    private readonly ServerLauncher _launcher;
    private readonly LoadRunner _load;
    private readonly H2LoadRunner _h2load;
    private readonly CpuPinning _pinning;
    private readonly string _logs;
    private readonly TextWriter _progress;
    private readonly Dictionary<(string Server, string Case), List<Measurement>> _rounds = [];

    /// <summary>Creates a runner; <paramref name="progress"/> gets one line per measurement.</summary>
    public BenchRunner(BenchPlan plan, ServerLauncher launcher, LoadRunner load, H2LoadRunner h2load, CpuPinning pinning, string logDirectory, TextWriter progress)
    {
        _plan = plan;
        _launcher = launcher;
        _load = load;
        _h2load = h2load;
        _pinning = pinning;
        _logs = logDirectory;
        _progress = progress;
    }

    /// <summary>Runs everything; on cancellation stops the current server and load and returns what was measured so far.</summary>
    public async Task<(IReadOnlyList<ServerEntry> Servers, IReadOnlyList<CaseResult> Results)> RunAsync(CancellationToken cancellationToken)
    {
        var availability = new Dictionary<string, ServerAvailability>();
        foreach (var spec in _plan.Servers)
        {
            var prepared = cancellationToken.IsCancellationRequested
                ? ServerAvailability.Missing("interrupted")
                : await _launcher.PrepareAsync(spec, cancellationToken).ConfigureAwait(false);
            availability[spec.Name] = prepared;
            if (!prepared.Available) Say($"{spec.Name}: {prepared.Status}");
        }

        var throughput = _plan.Cases.Where(c => c.Kind == CaseKind.Throughput).ToList();
        var idles = _plan.Cases.Where(c => c.Kind == CaseKind.Idle).ToList();
        if (_h2load.Path is null && throughput.Any(c => c.Protocol == LoadProtocol.Http2)) Say($"HTTP/2 cases: {H2LoadRunner.MissingReason}; they are reported as failed");
        var soak = _plan.Cases.FirstOrDefault(c => c.Kind == CaseKind.Soak);
        var startup = _plan.Cases.Where(c => c.Kind == CaseKind.Startup).ToList();
        for (int round = 1; round <= _plan.Rounds && !cancellationToken.IsCancellationRequested; round++)
        {
            foreach (var spec in _plan.Servers)
            {
                if (!availability[spec.Name].Available || cancellationToken.IsCancellationRequested) continue;
                if (startup.Count > 0 && StartupEntrant.Measures(spec)) await RunStartupAsync(spec, startup, round, cancellationToken).ConfigureAwait(false);
                foreach (var protocol in new[] { LoadProtocol.Echo, LoadProtocol.Http, LoadProtocol.Http2 })
                {
                    var cases = throughput.Where(c => c.Protocol == protocol && c.Tls == TlsKey.None && _plan.Runs(spec, c)).ToList();
                    if (cases.Count > 0 && !cancellationToken.IsCancellationRequested)
                    {
                        await RunThroughputSessionAsync(spec, protocol, cases, round, cancellationToken).ConfigureAwait(false);
                    }
                }
                // TLS: one server per certificate serves HTTP/1.1 and h2 (ALPN) alike, so its cases of both run in one session.
                foreach (var key in new[] { TlsKey.Ecdsa, TlsKey.Rsa })
                {
                    var cases = throughput.Where(c => c.Tls == key && _plan.Runs(spec, c)).ToList();
                    if (cases.Count > 0 && !cancellationToken.IsCancellationRequested)
                    {
                        await RunThroughputSessionAsync(spec, LoadProtocol.Http, cases, round, cancellationToken, key).ConfigureAwait(false);
                    }
                }
                foreach (var idle in idles.Where(c => _plan.Runs(spec, c)))
                {
                    if (cancellationToken.IsCancellationRequested) break;
                    Record(spec, idle, round, await RunIdleAsync(spec, idle, round, cancellationToken).ConfigureAwait(false), cancellationToken);
                }
            }
        }
        if (soak is not null)
        {
            foreach (var spec in _plan.Servers)
            {
                if (!availability[spec.Name].Available || !_plan.Runs(spec, soak) || cancellationToken.IsCancellationRequested) continue;
                Record(spec, soak, 1, await RunSoakAsync(spec, soak, cancellationToken).ConfigureAwait(false), cancellationToken);
            }
        }

        var servers = _plan.Servers.Select(s => new ServerEntry
        {
            Name = s.Name,
            Family = s.Family.ToString(),
            Description = s.Description,
            Available = availability[s.Name].Available,
            Status = availability[s.Name].Status,
            Version = availability[s.Name].Version,
        }).ToList();
        var results = new List<CaseResult>();
        foreach (var benchCase in _plan.Cases)
        {
            foreach (var (name, spec) in ResultRowsOf(benchCase))
            {
                var rounds = _rounds.TryGetValue((name, benchCase.Name), out var list) ? list : [];
                string reason = availability[spec.Name].Available ? "not measured: the run was interrupted" : availability[spec.Name].Status;
                results.Add(Medians.Summarize(name, benchCase.Name, rounds, reason));
            }
            foreach (var spec in _plan.Servers)
            {
                if (_plan.Exclusion(spec, benchCase) is { } why)
                {
                    results.Add(new CaseResult { Server = spec.Name, Case = benchCase.Name, Status = CaseStatus.Excluded, Failure = why });
                }
            }
        }
        return (servers, results);
    }

    private async Task RunThroughputSessionAsync(ServerSpec spec, LoadProtocol protocol, List<BenchCase> cases, int round, CancellationToken cancellationToken, TlsKey tls = TlsKey.None)
    {
        int maxConnections = Math.Max(1024, cases.Max(c => c.Connections) + 256);
        string name = tls == TlsKey.None
            ? $"r{round}-{spec.Name}-{protocol.ToString().ToLowerInvariant()}"
            : $"r{round}-{spec.Name}-tls-{tls.ToString().ToLowerInvariant()}";
        if (protocol == LoadProtocol.Http2 && _h2load.Path is null)
        {
            foreach (var benchCase in cases) Record(spec, benchCase, round, Failed(round, H2LoadRunner.MissingReason), cancellationToken);
            return;
        }
        var (server, failure) = await StartAsync(spec, protocol, FreePort(), maxConnections, name, waitForOutput: false, cancellationToken, tls: tls).ConfigureAwait(false);
        try
        {
            if (server is null)
            {
                foreach (var benchCase in cases) Record(spec, benchCase, round, Failed(round, failure!), cancellationToken);
                return;
            }
            if (_plan.Warmup > TimeSpan.Zero && cases[0].Protocol == LoadProtocol.Http2)
            {
                await _h2load.RunAsync(H2LoadRequestFor(cases[0], server.Port, _plan.Warmup), $"{name}-warmup", cancellationToken).ConfigureAwait(false);
            }
            else if (_plan.Warmup > TimeSpan.Zero)
            {
                var warmup = LoadRequest.For(cases[0], server.Port, _plan.Warmup, monitorPid: null);
                await _load.RunAsync(warmup, $"{name}-warmup", cancellationToken).ConfigureAwait(false);
            }
            foreach (var benchCase in cases)
            {
                if (cancellationToken.IsCancellationRequested) return;
                if (server is null || server.HasExited)
                {
                    // It died in an earlier case (reported there), or an earlier restart failed: try a fresh server.
                    string reason = server?.ExitDescription ?? $"restart failed: {failure}";
                    if (server is not null) await server.DisposeAsync().ConfigureAwait(false);
                    (server, failure) = await StartAsync(spec, protocol, FreePort(), maxConnections, $"{name}-restart", waitForOutput: false, cancellationToken, tls: tls).ConfigureAwait(false);
                    if (server is null)
                    {
                        Record(spec, benchCase, round, Failed(round, $"{reason}; restart failed: {failure}"), cancellationToken);
                        continue;
                    }
                }
                var measurement = await MeasureThroughputAsync(spec, server, benchCase, round, $"{name}-{benchCase.Name}", cancellationToken).ConfigureAwait(false);
                Record(spec, benchCase, round, measurement, cancellationToken);
            }
        }
        finally
        {
            if (server is not null)
            {
                await server.StopAsync(s_stopGrace).ConfigureAwait(false);
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<Measurement> MeasureThroughputAsync(ServerSpec spec, ServerProcess server, BenchCase benchCase, int round, string logName, CancellationToken cancellationToken)
    {
        if (benchCase.Protocol == LoadProtocol.Http2) return await MeasureH2LoadAsync(spec, server, benchCase, round, logName, cancellationToken).ConfigureAwait(false);
        var statsBefore = await ReadStatsAsync(spec, server, cancellationToken).ConfigureAwait(false);
        var before = ProcessTree.Read([server.Pid]);
        var outcome = await _load.RunAsync(LoadRequest.For(benchCase, server.Port, _plan.Duration, server.Pid), logName, cancellationToken).ConfigureAwait(false);
        var after = ProcessTree.Read([server.Pid]);
        var statsAfter = await ReadStatsAsync(spec, server, cancellationToken).ConfigureAwait(false);
        if (server.HasExited) return Failed(round, server.ExitDescription);
        if (outcome.Result is not { } result) return Failed(round, outcome.Failure ?? "load failed");
        if (result.Requests <= 0) return Failed(round, $"no request completed ({ErrorSummary(result.Errors) ?? "no errors reported"})");
        double cpu = result.Monitor is { CpuSeconds: > 0 } monitor ? monitor.CpuSeconds : Math.Max(0, after.CpuSeconds - before.CpuSeconds);
        // Whether a server resumed what it was offered is the figure's meaning: said beside it (and in the log).
        if (benchCase.Tls != TlsKey.None && benchCase.RequestsPerConnection > 0)
        {
            Say(string.Create(CultureInfo.InvariantCulture, $"  {spec.Name} {benchCase.Name}: {result.TlsHandshakes:N0} TLS handshakes, {result.TlsResumedHandshakes:N0} resumed"));
        }
        return WithAllocations(FromResult(round, result, cpu), statsBefore, statsAfter);
    }

    // h2load reports no server CPU: the server tree's CPU is read around the whole run (connects and teardown included,
    // which take milliseconds of a run of seconds).
    private async Task<Measurement> MeasureH2LoadAsync(ServerSpec spec, ServerProcess server, BenchCase benchCase, int round, string logName, CancellationToken cancellationToken)
    {
        var statsBefore = await ReadStatsAsync(spec, server, cancellationToken).ConfigureAwait(false);
        var before = ProcessTree.Read([server.Pid]);
        var outcome = await _h2load.RunAsync(H2LoadRequestFor(benchCase, server.Port, _plan.Duration), logName, cancellationToken).ConfigureAwait(false);
        var after = ProcessTree.Read([server.Pid]);
        var statsAfter = await ReadStatsAsync(spec, server, cancellationToken).ConfigureAwait(false);
        if (server.HasExited) return Failed(round, server.ExitDescription);
        if (outcome.Failure is not null || outcome.Result is not { } result) return Failed(round, outcome.Failure ?? "h2load failed");
        double cpu = Math.Max(0, after.CpuSeconds - before.CpuSeconds);
        var measurement = new Measurement
        {
            Round = round,
            Ok = true,
            RequestsPerSecond = result.RequestsPerSecond,
            MegabytesPerSecond = result.DurationSeconds > 0 ? result.TrafficBytes / 1e6 / result.DurationSeconds : 0,
            Requests = result.Succeeded,
            DurationSeconds = result.DurationSeconds,
            ServerCpuSeconds = cpu,
            ServerCpuMicrosecondsPerRequest = cpu * 1e6 / result.Succeeded,
            MeanLatencyUs = result.MeanRequestMicroseconds,
        };
        return WithAllocations(measurement, statsBefore, statsAfter);
    }

    /// <summary>The h2load run of <paramref name="benchCase"/> against a server on <paramref name="port"/>.</summary>
    internal static H2LoadRequest H2LoadRequestFor(BenchCase benchCase, int port, TimeSpan duration) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{(benchCase.Tls == TlsKey.None ? "http" : "https")}://127.0.0.1:{port}{benchCase.Path}"), benchCase.Connections, benchCase.Pipeline, duration);

    /// <summary>
    /// Whether <paramref name="spec"/> answers SIGUSR2 with a stats line: netloop serve and the Kestrel peer. Never nginx,
    /// whose master takes SIGUSR2 as "upgrade the binary", nor the C reference, which SIGUSR2's default action would end.
    /// </summary>
    internal static bool ReportsStats(ServerSpec spec) => spec.Family is ServerFamily.Netloop or ServerFamily.Kestrel;

    private static async Task<ServerStatsLine?> ReadStatsAsync(ServerSpec spec, ServerProcess server, CancellationToken cancellationToken) =>
        ReportsStats(spec) ? await server.ReadStatsAsync(s_statsTimeout, cancellationToken).ConfigureAwait(false) : null;

    private static Measurement WithAllocations(Measurement measurement, ServerStatsLine? before, ServerStatsLine? after)
    {
        var (process, loops) = ServerStatsLine.PerRequest(before, after, measurement.Requests);
        return measurement with { AllocatedBytesPerRequest = process, LoopAllocatedBytesPerRequest = loops };
    }

    private async Task<Measurement> RunIdleAsync(ServerSpec spec, BenchCase benchCase, int round, CancellationToken cancellationToken)
    {
        int n = benchCase.Connections;
        int perProcess = _plan.ConnectionsPerProcess;
        // SO_REUSEPORT spreads connections by hash, not evenly: leave each server process a fifth of headroom.
        int serverProcesses = n <= perProcess ? 1 : (int)Math.Ceiling(n / (perProcess * 0.8));
        int loadProcesses = (int)Math.Ceiling(n / (double)perProcess);
        if (serverProcesses > 1 && !spec.CanShareAPort)
        {
            return Failed(round, string.Create(CultureInfo.InvariantCulture,
                $"{n:N0} connections need more file descriptors than one process may open (RLIMIT_NOFILE {_plan.OpenFileLimit:N0}), and only netloop serve can spread them over processes sharing the port"));
        }
        if (loadProcesses > 60) return Failed(round, "too many connections for the 127.0.0.x source addresses the load can spread over");

        int port = FreePort();
        string name = $"r{round}-{spec.Name}-{benchCase.Name}";
        var servers = new List<ServerProcess>();
        try
        {
            // nginx preallocates its connection table: size it to the case, not to the file limit.
            int maxConnections = serverProcesses == 1 ? n + 256 : perProcess;
            for (int i = 0; i < serverProcesses; i++)
            {
                var (server, failure) = await StartAsync(spec, benchCase.Protocol, port, maxConnections, serverProcesses == 1 ? name : $"{name}{i + 1}",
                    waitForOutput: spec.Family == ServerFamily.Netloop, cancellationToken, sharePort: serverProcesses > 1, tls: benchCase.Tls).ConfigureAwait(false);
                if (server is null) return Failed(round, serverProcesses == 1 ? failure! : $"server process {i + 1} of {serverProcesses}: {failure}");
                servers.Add(server);
            }
            var pids = servers.Select(s => s.Pid).ToList();
            await Task.Delay(s_idleSettle, cancellationToken).ConfigureAwait(false);
            // Two "before" readings: the cold one (right after start-up, the bench's figure until P6) and the one a user
            // takes, after a few requests (IdleWarmup). BENCHMARKS.md ("Bytes per idle connection") explains the gap.
            var cold = ProcessTree.Read(pids);
            if (benchCase.Tls != TlsKey.None)
            {
                // The warm-up over TLS: a few HTTPS requests on a few connections (handshakes included), as a user's first clients make.
                var warmup = LoadRequest.For(benchCase, port, TimeSpan.FromMilliseconds(300), monitorPid: null) with { Connections = 4, Idle = false };
                var warmed = await _load.RunAsync(warmup, $"{name}-warmup", cancellationToken).ConfigureAwait(false);
                if (warmed.Result is not { Requests: > 0 }) return Failed(round, $"the TLS warm-up failed: {warmed.Failure ?? "no request completed"}");
            }
            else if (await IdleWarmup.RunAsync(port, benchCase.Path, cancellationToken, http2: benchCase.Protocol == LoadProtocol.Http2).ConfigureAwait(false) is { } warmupProblem)
            {
                return Failed(round, warmupProblem);
            }
            await Task.Delay(s_idleSettle, cancellationToken).ConfigureAwait(false);
            var before = ProcessTree.Read(pids);
            var heapBefore = servers.Count == 1 ? await ReadStatsAsync(spec, servers[0], cancellationToken).ConfigureAwait(false) : null;

            var sampler = TreeSampler.Start(pids, s_idleSampleInterval);
            IReadOnlyList<TreeSample> samples;
            LoadOutcome[] outcomes;
            ServerStatsLine? heapWith = null;
            await using (sampler.ConfigureAwait(false))
            {
                // The load's duration counts from its start, connecting included: add the time opening them may take,
                // so every server holds all of its connections for about --duration before the RSS is read. Every load
                // process shares one core, so the allowance follows the total.
                var hold = _plan.Duration + IdleConnectAllowance(n, benchCase.Tls != TlsKey.None);
                var loads = new List<Task<LoadOutcome>>();
                int remaining = n;
                for (int i = 0; i < loadProcesses; i++)
                {
                    int count = (int)Math.Ceiling(remaining / (double)(loadProcesses - i));
                    remaining -= count;
                    // Four source addresses per load process: 4 × ~28k ephemeral ports, far more than one process's connections.
                    string sources = string.Create(CultureInfo.InvariantCulture, $"127.0.0.{1 + 4 * i}-127.0.0.{4 + 4 * i}");
                    var request = LoadRequest.For(benchCase, port, hold, serverProcesses == 1 ? pids[0] : null)
                        with { Connections = count, SourceAddresses = sources };
                    loads.Add(_load.RunAsync(request, loadProcesses == 1 ? name : $"{name}-load{i + 1}", cancellationToken));
                }
                if (heapBefore is not null)
                {
                    heapWith = await ReadStatsWhenHeldAsync(spec, servers[0], sampler, before.OpenFds + n, Task.WhenAll(loads), cancellationToken).ConfigureAwait(false);
                }
                outcomes = await Task.WhenAll(loads).ConfigureAwait(false);
                samples = await sampler.StopAsync().ConfigureAwait(false);
            }

            var exited = servers.FirstOrDefault(s => s.HasExited);
            if (exited is not null) return Failed(round, exited.ExitDescription);
            var loadFailure = outcomes.FirstOrDefault(o => o.Result is null);
            if (loadFailure is not null) return Failed(round, loadFailure.Failure ?? "load failed");

            var results = outcomes.Select(o => o.Result!).ToList();
            long opened = results.Sum(r => r.ConnectionsOpened);
            long open = results.Sum(r => r.ConnectionsOpenAtEnd);
            var loaded = PickLoadedSample(samples, before);
            var idle = new IdleMeasurement
            {
                Connections = n,
                ConnectionsOpen = open,
                ServerProcesses = serverProcesses,
                LoadProcesses = loadProcesses,
                RssColdBytes = cold.RssBytes,
                RssBeforeBytes = before.RssBytes,
                RssWithConnectionsBytes = loaded.RssBytes,
                BytesPerConnection = (loaded.RssBytes - before.RssBytes) / (double)n,
                ColdStartBytesPerConnection = (loaded.RssBytes - cold.RssBytes) / (double)n,
                HeapBytesPerConnection = heapBefore?.HeapBytes is { } h0 && heapWith?.HeapBytes is { } h1 ? (h1 - h0) / (double)n : null,
                ServerFdsAdded = before.OpenFds >= 0 && loaded.OpenFds >= 0 ? loaded.OpenFds - before.OpenFds : -1,
                ServerThreads = loaded.Threads,
            };
            var errors = Sum(results.Select(r => r.Errors));
            string? problem = null;
            if (open < n)
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"only {open:N0} of {n:N0} connections were open when the hold ended ({ErrorSummary(errors) ?? "no errors reported"})");
            }
            else if (idle.ServerFdsAdded >= 0 && idle.ServerFdsAdded < n * 0.95)
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"the server held only {idle.ServerFdsAdded:N0} of {n:N0} connections (the rest waited in the listen backlog)");
            }
            return new Measurement
            {
                Round = round,
                Ok = problem is null,
                Failure = problem,
                ConnectionsOpened = opened,
                Errors = errors.Total,
                ErrorSummary = ErrorSummary(errors),
                DurationSeconds = results.Max(r => r.DurationSeconds),
                Idle = idle,
            };
        }
        catch (OperationCanceledException)
        {
            return Failed(round, "interrupted");
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.StopAsync(s_stopGrace).ConfigureAwait(false);
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    // The server's stats line while it holds every connection: once the sampler sees its file descriptors reach
    // `heldFds`, after a settle so the last answers are out; null when the load ends first or the server does not answer.
    private static async Task<ServerStatsLine?> ReadStatsWhenHeldAsync(
        ServerSpec spec, ServerProcess server, TreeSampler sampler, int heldFds, Task loads, CancellationToken cancellationToken)
    {
        while (!loads.IsCompleted)
        {
            if (sampler.Latest is { } latest && latest.Usage.OpenFds >= heldFds)
            {
                await Task.Delay(s_idleSettle, cancellationToken).ConfigureAwait(false);
                return loads.IsCompleted ? null : await ReadStatsAsync(spec, server, cancellationToken).ConfigureAwait(false);
            }
            await Task.WhenAny(loads, Task.Delay(s_idleSampleInterval, cancellationToken)).ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>Time to open <paramref name="connections"/> connections with a request each: ~3,000 a second on a slow server (Kestrel pinned to one core), at least a second.</summary>
    /// <remarks>Over TLS each connection is a full handshake, and the load's one core makes ~500 a second on a busy machine (its own ECDHE and signature check): 10,000 take 20 s.</remarks>
    internal static TimeSpan IdleConnectAllowance(int connections, bool tls = false) => TimeSpan.FromSeconds(Math.Max(1, connections / (tls ? 500.0 : 3000.0)));

    // The RSS "with N idle connections": the latest sample holding the most file descriptors, i.e. taken while every
    // connection was open and before the load began to close them. Without readable fd counts, the largest RSS.
    private static TreeUsage PickLoadedSample(IReadOnlyList<TreeSample> samples, TreeUsage fallback)
    {
        var live = samples.Where(s => s.Usage.Processes > 0).Select(s => s.Usage).ToList();
        if (live.Count == 0) return fallback;
        if (live.All(u => u.OpenFds >= 0))
        {
            int most = live.Max(u => u.OpenFds);
            return live.Last(u => u.OpenFds == most);
        }
        return live.MaxBy(u => u.RssBytes);
    }

    private async Task<Measurement> RunSoakAsync(ServerSpec spec, BenchCase benchCase, CancellationToken cancellationToken)
    {
        string name = $"soak-{spec.Name}";
        var (server, failure) = await StartAsync(spec, LoadProtocol.Http, FreePort(), 1024, name, waitForOutput: false, cancellationToken).ConfigureAwait(false);
        if (server is null) return Failed(1, failure!);
        try
        {
            if (_plan.Warmup > TimeSpan.Zero)
            {
                await _load.RunAsync(LoadRequest.For(benchCase, server.Port, _plan.Warmup, null), $"{name}-warmup", cancellationToken).ConfigureAwait(false);
            }
            var statsBefore = await ReadStatsAsync(spec, server, cancellationToken).ConfigureAwait(false);
            var before = ProcessTree.Read([server.Pid]);
            var sampler = TreeSampler.Start([server.Pid], s_soakSampleInterval);
            LoadOutcome outcome;
            IReadOnlyList<TreeSample> samples;
            await using (sampler.ConfigureAwait(false))
            {
                outcome = await _load.RunAsync(LoadRequest.For(benchCase, server.Port, _plan.SoakDuration, server.Pid), name, cancellationToken).ConfigureAwait(false);
                samples = await sampler.StopAsync().ConfigureAwait(false);
            }
            var after = ProcessTree.Read([server.Pid]);
            var statsAfter = await ReadStatsAsync(spec, server, cancellationToken).ConfigureAwait(false);
            if (server.HasExited) return Failed(1, server.ExitDescription);
            if (outcome.Result is not { } result) return Failed(1, outcome.Failure ?? "load failed");
            if (result.Requests <= 0) return Failed(1, $"no request completed ({ErrorSummary(result.Errors) ?? "no errors reported"})");

            var curve = samples.Where(s => s.Usage.Processes > 0).Select(s => new RssPoint(s.TimeMs / 1000.0, s.Usage.RssBytes)).ToList();
            // The load's own --monitor-pid verdict; the bench's curve is judged by the same rule only if that is missing.
            var fallback = result.Monitor is null
                ? Netloop.Load.Monitoring.SteadyStateVerdict.Evaluate(curve.Select(p => new MonitorSample { TimeMs = (long)(p.Seconds * 1000), RssBytes = p.RssBytes }).ToList())
                : null;
            var soak = new SoakMeasurement
            {
                Verdict = result.Monitor?.Verdict ?? fallback!.Verdict,
                SlopeKbPerMinute = result.Monitor?.RssSlopeKbPerMinute ?? fallback!.SlopeKbPerMinute,
                RssStartBytes = curve.Count > 0 ? curve[0].RssBytes : 0,
                RssEndBytes = curve.Count > 0 ? curve[^1].RssBytes : 0,
                RssPeakBytes = curve.Count > 0 ? curve.Max(p => p.RssBytes) : 0,
                Curve = curve,
            };
            double cpu = result.Monitor is { CpuSeconds: > 0 } monitor ? monitor.CpuSeconds : Math.Max(0, after.CpuSeconds - before.CpuSeconds);
            return WithAllocations(FromResult(1, result, cpu), statsBefore, statsAfter) with { Soak = soak };
        }
        finally
        {
            await server.StopAsync(s_stopGrace).ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<(ServerProcess? Server, string? Failure)> StartAsync(
        ServerSpec spec, LoadProtocol protocol, int port, int maxConnections, string logName, bool waitForOutput, CancellationToken cancellationToken, bool sharePort = false,
        TlsKey tls = TlsKey.None)
    {
        ProcessCommand command;
        try
        {
            command = _pinning.Server(_launcher.Command(spec, protocol, port, maxConnections, _plan.IdleTimeout, sharePort: sharePort, tls: tls));
        }
        catch (InvalidOperationException e) when (tls != TlsKey.None)
        {
            return (null, e.Message);
        }
        return await ServerProcess.StartAsync(command, port, protocol, waitForOutput, Path.Combine(_logs, logName + "-server.log"), s_startTimeout, cancellationToken, tls: tls != TlsKey.None)
            .ConfigureAwait(false);
    }

    // A measurement cut short by SIGINT is not a failure of the server: leave it out, and the case reads "not run".
    private void Record(ServerSpec spec, BenchCase benchCase, int round, Measurement measurement, CancellationToken cancellationToken) =>
        Record(spec.Name, benchCase, round, measurement, cancellationToken);

    private void Record(string server, BenchCase benchCase, int round, Measurement measurement, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return;
        var key = (server, benchCase.Name);
        if (!_rounds.TryGetValue(key, out var list)) _rounds[key] = list = [];
        list.Add(measurement);
        string prefix = benchCase.Kind == CaseKind.Soak ? "[soak]" : $"[round {round}/{_plan.Rounds}]";
        Say($"{prefix} {server} {benchCase.Name}: {Describe(measurement)}");
    }

    private static string Describe(Measurement m)
    {
        var parts = new List<string>();
        if (m.Idle is { } idle)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{idle.BytesPerConnection:N0} B per idle connection ({idle.ConnectionsOpen:N0} open, server fds +{idle.ServerFdsAdded:N0})"));
        }
        else if (m.Startup is { } startup)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{startup.Build}: {startup.MillisecondsToFirstResponse:N1} ms to first response, RSS {startup.RssBytes / 1e6:N1} MB (median of {startup.SpawnMilliseconds.Count} spawns)"));
        }
        else if (m.Ok)
        {
            string latency = m.MeanLatencyUs is { } mean
                ? string.Create(CultureInfo.InvariantCulture, $"mean {mean / 1000:N2} ms")
                : string.Create(CultureInfo.InvariantCulture, $"p99 {m.P99Us / 1000:N2} ms");
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{m.RequestsPerSecond:N0} req/s, server CPU {m.ServerCpuMicrosecondsPerRequest:N1} µs/req, {latency}"));
            if (m.AllocatedBytesPerRequest is { } allocated)
            {
                string loops = m.LoopAllocatedBytesPerRequest is { } l ? $" (loops {Format.BytesPerRequest(l)})" : "";
                parts.Add($"alloc {Format.BytesPerRequest(allocated)} B/req{loops}");
            }
            if (m.Errors > 0) parts.Add($"errors: {m.ErrorSummary}");
            if (m.Soak is { } soak) parts.Add(string.Create(CultureInfo.InvariantCulture, $"RSS {soak.RssStartBytes / 1048576.0:N1} → {soak.RssEndBytes / 1048576.0:N1} MB, {soak.Verdict}"));
        }
        if (!m.Ok) parts.Add($"FAILED: {m.Failure}");
        return string.Join("; ", parts);
    }

    private void Say(string line)
    {
        lock (_progress) _progress.WriteLine(line);
    }

    private static Measurement FromResult(int round, LoadResult result, double cpuSeconds) => new()
    {
        Round = round,
        Ok = true,
        RequestsPerSecond = result.RequestsPerSecond,
        MegabytesPerSecond = result.MegabytesPerSecond,
        Requests = result.Requests,
        DurationSeconds = result.DurationSeconds,
        ServerCpuSeconds = cpuSeconds,
        ServerCpuMicrosecondsPerRequest = cpuSeconds * 1e6 / result.Requests,
        P50Us = result.Latency.P50Us,
        P99Us = result.Latency.P99Us,
        P999Us = result.Latency.P999Us,
        Errors = result.Errors.Total,
        ErrorSummary = ErrorSummary(result.Errors),
        ConnectionsOpened = result.ConnectionsOpened,
    };

    private static Measurement Failed(int round, string reason) => new() { Round = round, Ok = false, Failure = reason };

    /// <summary>The non-zero error kinds, e.g. <c>reset 3, timeout 1</c>; null when there were none.</summary>
    internal static string? ErrorSummary(ErrorCounts errors)
    {
        var parts = new List<string>();
        void Add(string name, long count)
        {
            if (count > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {count:N0}"));
        }
        Add("connect refused", errors.ConnectRefused);
        Add("connect failed", errors.ConnectFailed);
        Add("reset", errors.Reset);
        Add("timeout", errors.Timeout);
        Add("bad status", errors.BadStatus);
        Add("short read", errors.ShortRead);
        Add("corrupt", errors.Corrupt);
        Add("tls handshake", errors.TlsHandshake);
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    private static ErrorCounts Sum(IEnumerable<ErrorCounts> all)
    {
        var list = all.ToList();
        return new ErrorCounts
        {
            ConnectRefused = list.Sum(e => e.ConnectRefused),
            ConnectFailed = list.Sum(e => e.ConnectFailed),
            Reset = list.Sum(e => e.Reset),
            Timeout = list.Sum(e => e.Timeout),
            BadStatus = list.Sum(e => e.BadStatus),
            ShortRead = list.Sum(e => e.ShortRead),
            Corrupt = list.Sum(e => e.Corrupt),
            TlsHandshake = list.Sum(e => e.TlsHandshake),
        };
    }

    // A port free now; the server binds it a moment later. Another process could take it in between, in which case
    // the server fails to start and that is reported like any other start failure.
    /// <summary>A port free on 127.0.0.1 now (bound and released), for the next server to listen on.</summary>
    internal static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
