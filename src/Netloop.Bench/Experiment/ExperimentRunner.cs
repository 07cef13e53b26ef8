using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Netloop.Bench.Running;
using Netloop.Load.Monitoring;
using Netloop.Load.Results;

namespace Netloop.Bench.Experiment;

/// <summary>
/// Runs each mode through the original test pattern: <c>netloop serve --limit batches×clients</c> on the server core,
/// then batch after batch of simultaneous <see cref="LineClient"/>s, each batch awaited before the next, while the
/// server's RSS is sampled every 100 ms. The server stops by itself after its last connection and prints its shutdown
/// audit; the runner reads it, with the clients' outcomes, the batch times and the RSS curve.
/// </summary>
internal sealed partial class ExperimentRunner(ExperimentOptions options, NetloopExecutable netloop, CpuPinning pinning, string logs, TextWriter progress)
{
    private static readonly TimeSpan s_sampleInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_shutdownTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Runs every mode in turn.</summary>
    public async Task<IReadOnlyList<ExperimentResult>> RunAsync(CancellationToken cancellationToken)
    {
        var results = new List<ExperimentResult>();
        foreach (string mode in options.Modes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await RunModeAsync(mode, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode}: {result.Completed:N0} completed, {result.FailedTotal:N0} failed, concurrency {result.EffectiveConcurrency:0.#}, peak RSS {result.PeakRssBytes / 1048576.0:0.0} MiB ({result.RssVerdict}), {result.ShutdownVerdict}, {result.WallSeconds:0.0} s{(result.TimedOut ? " (mode timeout)" : "")}"));
        }
        return results;
    }

    private async Task<ExperimentResult> RunModeAsync(string mode, CancellationToken cancellationToken)
    {
        int total = options.Batches * options.Clients;
        int port = BenchRunner.FreePort();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? verdictLine = null;
        var command = pinning.Server(netloop.Run(
        [
            "serve", "--mode", mode, "--protocol", "echo", "--loops", "1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--limit", total.ToString(CultureInfo.InvariantCulture),
            "--handler-delay", Milliseconds(options.HandlerDelay),
            "--max-connections", Math.Max(options.Clients * 2, 1024).ToString(CultureInfo.InvariantCulture),
            "--shutdown-timeout", Milliseconds(s_shutdownTimeout),
            "--idle-timeout", "0",
        ]));
        await using var server = ChildProcess.Start(command, Path.Combine(logs, $"{mode}-server.log"), onOutputLine: line =>
        {
            if (line.Contains(" listening on ", StringComparison.Ordinal)) listening.TrySetResult();
            var verdict = VerdictLine().Match(line);
            if (verdict.Success) Volatile.Write(ref verdictLine, verdict.Value);
        });
        var started = Stopwatch.StartNew();
        var sampler = TreeSampler.Start([server.Pid], s_sampleInterval);
        var failed = new Dictionary<string, long>(StringComparer.Ordinal);
        long completed = 0;
        var batchSeconds = new List<double>();
        bool timedOut = false;
        double wallStart = 0;
        IReadOnlyList<TreeSample> samples;
        await using (sampler.ConfigureAwait(false))
        {
            var ready = await Task.WhenAny(listening.Task, Task.Delay(s_startTimeout, cancellationToken)).ConfigureAwait(false);
            if (ready != listening.Task || server.HasExited)
            {
                await server.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                await sampler.StopAsync().ConfigureAwait(false);
                return NotStarted(mode, server, total);
            }

            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            budget.CancelAfter(options.ModeTimeout);
            wallStart = started.Elapsed.TotalSeconds;
            var endPoint = new IPEndPoint(IPAddress.Loopback, port);
            // Each client may wait for every other of its batch to be served one by one (the serial designs).
            var clientTimeout = TimeSpan.FromSeconds(10) + options.HandlerDelay * (options.Clients + 1);
            for (int batch = 0; batch < options.Batches; batch++)
            {
                if (budget.IsCancellationRequested)
                {
                    timedOut = !cancellationToken.IsCancellationRequested;
                    Count(failed, "not run", (long)(options.Batches - batch) * options.Clients);
                    break;
                }
                var batchClock = Stopwatch.StartNew();
                int b = batch;
                var outcomes = await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(i =>
                    LineClient.RunAsync(endPoint, $"batch {b} client {i}\n", clientTimeout, budget.Token))).ConfigureAwait(false);
                batchSeconds.Add(batchClock.Elapsed.TotalSeconds);
                foreach (var outcome in outcomes)
                {
                    if (outcome is null) completed++;
                    else Count(failed, outcome, 1);
                }
                if (budget.IsCancellationRequested && batch < options.Batches - 1) timedOut = !cancellationToken.IsCancellationRequested;
            }

            // The server stops by itself after its last connection; a timed-out run is told to.
            if (timedOut || !await server.WaitForExitAsync(s_shutdownTimeout + TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false))
            {
                await server.StopAsync(s_shutdownTimeout + TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            samples = await sampler.StopAsync().ConfigureAwait(false);
        }

        double wall = started.Elapsed.TotalSeconds - wallStart;
        var curve = samples.Where(s => s.Usage.RssBytes > 0).Select(s => new RssPoint(s.TimeMs / 1000.0, s.Usage.RssBytes)).ToList();
        var rss = SteadyStateVerdict.Evaluate(curve.Select(p => new MonitorSample { TimeMs = (long)(p.Seconds * 1000), RssBytes = p.RssBytes }).ToList());
        int exitCode = server.HasExited ? server.ExitCode : -1;
        string verdict = Volatile.Read(ref verdictLine) ?? $"no audit line (server exit code {exitCode})";
        double medianBatch = Medians.Of(batchSeconds);
        double concurrency = medianBatch > 0 && options.HandlerDelay > TimeSpan.Zero
            ? Math.Min(options.Clients, options.Clients * options.HandlerDelay.TotalSeconds / medianBatch)
            : 0;
        return new ExperimentResult
        {
            Mode = mode,
            Completed = completed,
            Failed = failed,
            BatchesRun = batchSeconds.Count,
            MedianBatchSeconds = medianBatch,
            EffectiveConcurrency = concurrency,
            MeetsConcurrency = !timedOut && concurrency >= options.Clients / 2.0 && failed.Count == 0,
            PeakRssBytes = curve.Count == 0 ? 0 : curve.Max(p => p.RssBytes),
            RssSlopeKbPerMinute = rss.SlopeKbPerMinute,
            RssVerdict = rss.Verdict,
            SecondHalfGrowthBytes = SecondHalfGrowth(curve),
            ShutdownVerdict = verdict,
            LeakFree = exitCode == 0 && verdict.StartsWith("leaks: none", StringComparison.Ordinal),
            ServerExitCode = exitCode,
            WallSeconds = wall,
            TimedOut = timedOut,
            Curve = curve,
        };
    }

    private static ExperimentResult NotStarted(string mode, ChildProcess server, int total) => new()
    {
        Mode = mode,
        Failed = new Dictionary<string, long> { ["not run"] = total },
        RssVerdict = SteadyStateVerdict.TooShort,
        ShutdownVerdict = $"server did not start: {server.LastLine}",
        ServerExitCode = server.HasExited ? server.ExitCode : -1,
    };

    private static long SecondHalfGrowth(List<RssPoint> curve)
    {
        if (curve.Count < 10) return 0;
        const int window = 5;
        int middle = curve.Count / 2;
        double atMiddle = curve.Skip(middle - window / 2).Take(window).Average(p => p.RssBytes);
        double atEnd = curve.Skip(curve.Count - window).Average(p => p.RssBytes);
        return (long)(atEnd - atMiddle);
    }

    private static void Count(Dictionary<string, long> failed, string kind, long n)
    {
        if (n <= 0) return;
        failed[kind] = failed.GetValueOrDefault(kind) + n;
    }

    private static string Milliseconds(TimeSpan duration) => string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalMilliseconds}ms");

    [GeneratedRegex(@"leaks: .*?(?=; exiting with 1|$)")]
    private static partial Regex VerdictLine();
}
