using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Netloop.Client;
using Netloop.Load.Monitoring;
using Netloop.Load.Results;
using Netloop.Load.Stats;
using Netloop.Load.Targets;
using Netloop.Transport;
using Netloop.Transport.Tls;

namespace Netloop.Load.Runner;

/// <summary>
/// Runs one load test: starts <see cref="LoadOptions.Loops"/> client loops, opens the connections, lets them work until
/// the duration or the request count is reached, stops everything, checks that the client's own buffer pools got every
/// block back, and sums up what was measured.
/// </summary>
public sealed class LoadRunner
{
    // How often the runner looks at the loops: retries failed connects, notices the end, reports progress. The run's
    // length does not depend on it: responses after the deadline are not counted, whenever the runner gets there.
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_stopWait = TimeSpan.FromSeconds(30);

    private readonly LoadOptions _options;
    private readonly ILogger? _logger;

    /// <summary>Creates a runner; <see cref="RunAsync"/> validates <paramref name="options"/> and runs.</summary>
    public LoadRunner(LoadOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
    }

    /// <summary>Called about once per <see cref="LoadOptions.ProgressInterval"/> from the runner's thread while the load runs.</summary>
    public Action<LoadProgress>? Progress { get; init; }

    /// <summary>Pooled buffer blocks the client loops had not returned after they stopped (0 unless the client leaks).</summary>
    public long ClientBuffersOutstanding { get; private set; }

    /// <summary>Managed bytes the client loop threads allocated during the run (set up included): the hot path should add nothing per request.</summary>
    public long ClientAllocatedBytes { get; private set; }

    /// <summary>
    /// Runs the load and returns what it measured. Cancelling <paramref name="cancellationToken"/> ends the run early,
    /// and the result covers the time until then. Throws <see cref="ArgumentException"/> for options that cannot run or a
    /// monitored process that does not exist, and <see cref="LoadException"/> when the run could not work (every
    /// connection refused, a loop failed).
    /// </summary>
    public async Task<LoadResult> RunAsync(CancellationToken cancellationToken = default)
    {
        _options.Validate();
        var plan = new RunPlan(_options);
        var monitor = _options.MonitorPid is int pid ? ProcessMonitor.Start(pid) : null;
        var loops = new List<ClientLoop>();
        var workers = CreateWorkers(plan);
        TlsClientContext? tls = null;
        try
        {
            tls = CreateTlsContext();
            foreach (var worker in workers)
            {
                var loop = new ClientLoop(new ClientLoopOptions { Name = $"netloop-load-{loops.Count}" }, _logger);
                loops.Add(loop);
                worker.Connector = new ClientLoopConnector(loop);
                if (tls is not null) worker.Tls = new TlsClientEndpoint(tls, _options.Target.Host);
                loop.Start();
            }

            plan.StartTicks = Stopwatch.GetTimestamp();
            if (_options.Duration is TimeSpan duration) plan.DeadlineTicks = plan.StartTicks + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            // Post orders these writes before everything the loops do next.
            foreach (var worker in workers) worker.PostBegin();

            var (endTicks, failure) = await WatchAsync(plan, workers, loops, monitor, cancellationToken).ConfigureAwait(false);
            int openAtEnd = workers.Sum(w => w.Stats.OpenConnections);

            foreach (var worker in workers) worker.PostStop();
            await StopLoopsAsync(loops).ConfigureAwait(false);
            ClientBuffersOutstanding = loops.Sum(l => l.OutstandingBuffers);
            ClientAllocatedBytes = loops.Sum(l => l.AllocatedBytes);
            var monitored = monitor?.Stop();
            if (failure is not null) throw new LoadException(failure);
            return Summarize(plan, workers, endTicks, openAtEnd, monitored);
        }
        finally
        {
            monitor?.Dispose();
            foreach (var loop in loops) loop.Dispose();
            // After the loops: no connection is left to call back into an endpoint or use the context.
            foreach (var worker in workers) worker.Tls?.Dispose();
            tls?.Dispose();
        }
    }

    /// <summary>The run's client TLS context for an https:// or h2s:// target (ALPN offers the one protocol the slots speak); null otherwise.</summary>
    private TlsClientContext? CreateTlsContext()
    {
        if (!_options.Target.IsTls) return null;
        var settings = new TlsClientSettings
        {
            Verify = !_options.Insecure,
            CertificateAuthorityPath = _options.CaCertificatePath,
            ApplicationProtocols = [_options.Target.Protocol == TargetProtocol.Http2 ? "h2" : "http/1.1"],
            ResumeSessions = _options.TlsResume,
        };
        try
        {
            return TlsClientContext.Create(settings);
        }
        catch (NetloopException e)
        {
            throw new LoadException(e.Message);
        }
    }

    private List<LoadWorker> CreateWorkers(RunPlan plan)
    {
        int loops = _options.Loops;
        var workers = new List<LoadWorker>(loops);
        for (int i = 0; i < loops; i++)
        {
            long budget = long.MaxValue;
            if (_options.Requests > 0) budget = (_options.Requests / loops) + (i < _options.Requests % loops ? 1 : 0);
            workers.Add(new LoadWorker(plan, budget));
        }
        var sources = _options.SourceAddresses;
        for (int i = 0; i < _options.Connections; i++)
        {
            IPAddress? source = sources.Count == 0 ? null : sources[i % sources.Count];
            workers[i % loops].AddSlot(i, source);
        }
        return workers;
    }

    /// <summary>Waits for the end of the run; returns when it ended (ticks) and, if it could not work, why.</summary>
    private async Task<(long EndTicks, string? Failure)> WatchAsync(
        RunPlan plan, List<LoadWorker> workers, List<ClientLoop> loops, ProcessMonitor? monitor, CancellationToken cancellationToken)
    {
        long progressEvery = Math.Max(1, (long)(_options.ProgressInterval.TotalSeconds * Stopwatch.Frequency));
        long nextProgress = plan.StartTicks + progressEvery;
        long lastProgressTicks = plan.StartTicks;
        long lastProgressRequests = 0;
        // Slots of a worker with no request budget never connect, so they cannot fail either.
        int expectedAttempts = workers.Where(w => w.HasBudget).Sum(w => w.Slots.Count);

        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            if (now >= plan.DeadlineTicks) return (plan.DeadlineTicks, null);
            if (cancellationToken.IsCancellationRequested) return (now, null);
            if (_options.Requests > 0 && workers.TrueForAll(w => w.DoneTicks != 0)) return (workers.Max(w => w.DoneTicks), null);
            if (loops.Find(l => l.Completion.IsCompleted) is { } dead)
            {
                string why = dead.Completion.Exception?.InnerException?.Message ?? "it stopped";
                return (now, $"a client loop failed: {why}");
            }
            if (workers.Sum(w => w.Stats.ConnectionsOpened) == 0 && workers.Sum(w => w.FirstAttemptFailures) >= expectedAttempts && expectedAttempts > 0)
            {
                var reason = workers.Select(w => w.FirstFailure).FirstOrDefault(f => f is not null) ?? ConnectError.Other;
                string? tlsReason = workers.Select(w => w.Tls?.LastFailure).FirstOrDefault(f => f is not null);
                return (now, DescribeConnectFailure(reason, plan.EndPoint, tlsReason));
            }

            foreach (var worker in workers) worker.PostRetry();

            if (now >= nextProgress && Progress is not null)
            {
                long requests = workers.Sum(w => w.Stats.Requests);
                double seconds = (now - lastProgressTicks) / (double)Stopwatch.Frequency;
                Progress(new LoadProgress
                {
                    Elapsed = Stopwatch.GetElapsedTime(plan.StartTicks, now),
                    Duration = _options.Duration,
                    Requests = requests,
                    RequestsPerSecond = seconds > 0 ? (requests - lastProgressRequests) / seconds : 0,
                    Errors = workers.Sum(w => w.Stats.ErrorTotal),
                    OpenConnections = workers.Sum(w => w.Stats.OpenConnections),
                    ConnectionsOpened = workers.Sum(w => w.Stats.ConnectionsOpened),
                    Server = monitor?.Latest,
                });
                lastProgressTicks = now;
                lastProgressRequests = requests;
                nextProgress = now + progressEvery;
            }

            var wait = s_tick;
            if (plan.DeadlineTicks != long.MaxValue)
            {
                var left = Stopwatch.GetElapsedTime(now, plan.DeadlineTicks);
                if (left < wait) wait = left;
            }
            try
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Seen at the top of the loop.
            }
        }
    }

    private string DescribeConnectFailure(ConnectError reason, IPEndPoint target, string? tlsReason) => reason switch
    {
        ConnectError.TlsHandshake when _options.Insecure => $"TLS handshake with {target} failed: {tlsReason ?? "unknown reason"}",
        ConnectError.TlsHandshake => $"TLS handshake with {target} failed: {tlsReason ?? "unknown reason"} (a self-signed certificate needs --cacert FILE or --insecure)",
        ConnectError.Refused => $"connection refused to {target} (is the server running?)",
        ConnectError.Timeout => $"connecting to {target} timed out",
        ConnectError.AddressUnavailable => $"cannot connect to {target}: no local address or port available (is every --source-addresses address local?)",
        ConnectError.TooManyOpenFiles => $"cannot connect to {target}: out of file descriptors (raise ulimit -n)",
        _ => $"cannot connect to {target}",
    };

    private static async Task StopLoopsAsync(List<ClientLoop> loops)
    {
        var stops = loops.Select(l => l.StopAsync());
        try
        {
            await Task.WhenAll(stops).WaitAsync(s_stopWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new LoadException($"the client loops did not stop within {s_stopWait.TotalSeconds} s");
        }
    }

    private LoadResult Summarize(RunPlan plan, List<LoadWorker> workers, long endTicks, int openAtEnd, MonitorSummary? monitor)
    {
        var stats = workers.Select(w => w.Stats).ToList();
        double seconds = Math.Max(0, endTicks - plan.StartTicks) / (double)Stopwatch.Frequency;
        long requests = stats.Sum(s => s.Requests);
        long received = stats.Sum(s => s.BytesReceived);
        return new LoadResult
        {
            Target = _options.Target.Text,
            Protocol = _options.Target.ProtocolName,
            Connections = _options.Connections,
            Pipeline = _options.Pipeline,
            PayloadBytes = plan.Payload?.Length ?? 0,
            RequestsPerConnection = _options.RequestsPerConnection,
            Rate = _options.Rate,
            DurationSeconds = seconds,
            Requests = requests,
            BytesReceived = received,
            BytesSent = stats.Sum(s => s.BytesSent),
            ConnectionsOpened = stats.Sum(s => s.ConnectionsOpened),
            ConnectionsOpenAtEnd = openAtEnd,
            ConnectionsClosedByServer = stats.Sum(s => s.ClosedByServer),
            Loops = _options.Loops,
            Idle = _options.Idle,
            RequestsPerSecond = seconds > 0 ? requests / seconds : 0,
            MegabytesPerSecond = seconds > 0 ? received / seconds / 1e6 : 0,
            TlsHandshakes = workers.Sum(w => w.Tls?.Handshakes ?? 0),
            TlsResumedHandshakes = workers.Sum(w => w.Tls?.Resumed ?? 0),
            Latency = LoopStats.SumLatency(stats),
            Errors = LoopStats.SumErrors(stats),
            Monitor = monitor,
        };
    }
}
