namespace Netloop.Bench.Experiment;

/// <summary>One mode's run of the experiment.</summary>
internal sealed record ExperimentResult
{
    /// <summary>The <c>--mode</c> name.</summary>
    public required string Mode { get; init; }

    /// <summary>Clients that got their line back, then EOF.</summary>
    public long Completed { get; init; }

    /// <summary>Clients that did not, by kind (<c>refused</c>, <c>reset</c>, <c>timeout</c>, <c>corrupt</c>, <c>not run</c>).</summary>
    public IReadOnlyDictionary<string, long> Failed { get; init; } = new Dictionary<string, long>();

    /// <summary>All failed clients.</summary>
    public long FailedTotal => Failed.Values.Sum();

    /// <summary>Batches that ran to the end within the mode timeout.</summary>
    public int BatchesRun { get; init; }

    /// <summary>Median seconds from a batch's start to its last client's EOF.</summary>
    public double MedianBatchSeconds { get; init; }

    /// <summary>
    /// Clients served at once, on average: clients × handler delay ÷ median batch time (capped at the clients per batch).
    /// A serial design scores about 1, a design capped at W workers about W, an unbounded concurrent one about the batch.
    /// </summary>
    public double EffectiveConcurrency { get; init; }

    /// <summary>Highest RSS of the server's process tree.</summary>
    public long PeakRssBytes { get; init; }

    /// <summary>RSS slope over the second half of the run, KB per minute.</summary>
    public double RssSlopeKbPerMinute { get; init; }

    /// <summary><c>steady</c>, <c>growing</c> or <c>too-short</c> (the load monitor's rule).</summary>
    public required string RssVerdict { get; init; }

    /// <summary>The server's <c>leaks:</c> line, or what stood in for it.</summary>
    public required string ShutdownVerdict { get; init; }

    /// <summary>True when the server printed <c>leaks: none</c> and exited 0.</summary>
    public bool LeakFree { get; init; }

    /// <summary>The server's exit code (-1 when it had to be killed).</summary>
    public int ServerExitCode { get; init; }

    /// <summary>Seconds from the first batch to the server's exit.</summary>
    public double WallSeconds { get; init; }

    /// <summary>True when the mode timeout cut the run short.</summary>
    public bool TimedOut { get; init; }

    /// <summary>The RSS curve: seconds since the server started, bytes.</summary>
    public IReadOnlyList<RssPoint> Curve { get; init; } = [];

    /// <summary>Promise 1, many concurrent connections: batches finish within twice the handler delay's share (at least half the batch served at once).</summary>
    public bool MeetsConcurrency { get; init; }

    /// <summary>RSS at the end of the run minus RSS at its middle (means of a few samples each), bytes.</summary>
    public long SecondHalfGrowthBytes { get; init; }

    /// <summary>Most a run's second half may add to the RSS and still count as steady.</summary>
    public const long SteadyGrowthAllowance = 1024 * 1024;

    /// <summary>
    /// Promise 3, steady-state memory: over the second half of the run the RSS grew by less than a MiB (with thousands
    /// of connections served in that half, under a few hundred bytes each). The load monitor's slope rule
    /// (<see cref="RssVerdict"/>) is shown beside it but not used: over a half-minute window it calls a single 0.5 MiB
    /// step (a GC region committed, a method tiered up) growth.
    /// </summary>
    public bool MeetsSteadyMemory => SecondHalfGrowthBytes < SteadyGrowthAllowance;
}

/// <summary>One RSS sample.</summary>
/// <param name="Seconds">Since the server started.</param>
/// <param name="RssBytes">Resident set size of the server's process tree.</param>
internal readonly record struct RssPoint(double Seconds, long RssBytes);
