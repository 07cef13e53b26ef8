using System.Globalization;
using System.Runtime.CompilerServices;
using Netloop.Bench.Cases;
using Netloop.Bench.Report;
using Netloop.Bench.Servers;

namespace Netloop.Bench.Running;

/// <summary>
/// The start-up cases: in each round, each build of a server (<see cref="StartupEntrant"/>) is spawned
/// <see cref="StartupSpawnsPerRound"/> times per case after one unmeasured spawn that warms the file cache, the builds
/// taking turns so that a burst of host noise hits them alike; each spawn is timed by <see cref="StartupProbe"/>.
/// </summary>
internal sealed partial class BenchRunner
{
    /// <summary>Measured spawns of each build and case in each round.</summary>
    internal const int StartupSpawnsPerRound = 5;

    private readonly Dictionary<string, IReadOnlyList<StartupEntrant>> _startupEntrants = [];

    /// <summary>The builds of <paramref name="spec"/> the start-up cases measure (decided once per run).</summary>
    private IReadOnlyList<StartupEntrant> StartupEntrantsOf(ServerSpec spec)
    {
        if (!_startupEntrants.TryGetValue(spec.Name, out var entrants))
        {
            entrants = StartupEntrant.For(spec, _launcher.Netloop, _launcher.RepositoryRoot, !RuntimeFeature.IsDynamicCodeSupported, DotnetHost.Path);
            _startupEntrants[spec.Name] = entrants;
        }
        return entrants;
    }

    /// <summary>The rows a case has in the results: one per server that runs it, or for start-up one per build.</summary>
    private IEnumerable<(string Name, ServerSpec Spec)> ResultRowsOf(BenchCase benchCase)
    {
        var servers = _plan.Servers.Where(s => _plan.Runs(s, benchCase));
        return benchCase.Kind == CaseKind.Startup
            ? servers.SelectMany(StartupEntrantsOf).Select(e => (e.Name, e.Spec))
            : servers.Select(s => (s.Name, s));
    }

    private async Task RunStartupAsync(ServerSpec spec, IReadOnlyList<BenchCase> cases, int round, CancellationToken cancellationToken)
    {
        var runs = new List<(StartupEntrant Entrant, BenchCase Case)>();
        foreach (var entrant in StartupEntrantsOf(spec))
        {
            foreach (var benchCase in cases.Where(spec.Runs))
            {
                if (entrant.Missing is null) runs.Add((entrant, benchCase));
                // A missing build is a failure of the run, said once: its reason is the same every round.
                else if (round == 1) Record(entrant.Name, benchCase, round, Failed(round, entrant.Missing), cancellationToken);
            }
        }
        var samples = runs.ToDictionary(r => r, _ => new List<StartupSample>());
        var commands = new Dictionary<(StartupEntrant, BenchCase), string>();
        for (int spawn = 0; spawn <= StartupSpawnsPerRound; spawn++)
        {
            foreach (var run in runs)
            {
                if (cancellationToken.IsCancellationRequested) return;
                int port = FreePort();
                var command = _launcher.Command(run.Entrant.Spec, run.Case.Protocol, port, 1024, _plan.IdleTimeout, run.Entrant.Netloop);
                commands[run] = command.ToString();
                string log = Path.Combine(_logs, $"r{round}-{LogName(run.Entrant.Name)}-{run.Case.Name}-server.log");
                var sample = await StartupProbe.MeasureAsync(command, port, run.Case.Protocol, _pinning.ServerCpu, _pinning.LoadCpu, log, s_startTimeout, cancellationToken)
                    .ConfigureAwait(false);
                // Spawn 0 pages the binary and its libraries in; it is not counted.
                if (spawn > 0) samples[run].Add(sample);
            }
        }
        foreach (var run in runs)
        {
            Record(run.Entrant.Name, run.Case, round, StartupRound(round, run.Entrant.Build, commands[run], samples[run]), cancellationToken);
        }
    }

    /// <summary>A round of spawns as a measurement: medians of the spawns that answered; failed when any did not.</summary>
    internal static Measurement StartupRound(int round, string build, string command, IReadOnlyList<StartupSample> samples)
    {
        var answered = samples.Where(s => s.Failure is null).ToList();
        var failed = samples.Where(s => s.Failure is not null).ToList();
        var startup = answered.Count == 0 ? null : new StartupMeasurement
        {
            Build = build,
            Command = command,
            MillisecondsToFirstResponse = Medians.Of(answered.Select(s => s.Milliseconds)),
            RssBytes = (long)Medians.Of(answered.Select(s => (double)s.RssBytes)),
            SpawnMilliseconds = answered.Select(s => s.Milliseconds).ToList(),
            SpawnRssBytes = answered.Select(s => s.RssBytes).ToList(),
        };
        string? failure = failed.Count > 0
            ? answered.Count == 0 ? failed[0].Failure : string.Create(CultureInfo.InvariantCulture, $"{failed.Count} of {samples.Count} spawns failed: {failed[0].Failure}")
            : answered.Count == 0 ? "no spawn measured" : null;
        return new Measurement { Round = round, Ok = failure is null, Failure = failure, Startup = startup };
    }

    private static string LogName(string server) => server.Replace(StartupEntrant.AotSuffix, "-aot", StringComparison.Ordinal);
}
