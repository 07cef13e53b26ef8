namespace Netloop.Bench.Report;

/// <summary>
/// One build of one server in a start-up case: for each spawn, the milliseconds from spawning the process to its
/// first correct answer, and its RSS at that moment; and the medians over the spawns.
/// </summary>
internal sealed record StartupMeasurement
{
    /// <summary><c>JIT</c>, <c>AOT</c> (NativeAOT) or <c>native</c> (nginx, C).</summary>
    public required string Build { get; init; }

    /// <summary>The command spawned, without the taskset that pins it.</summary>
    public string Command { get; init; } = "";

    /// <summary>Median milliseconds from spawn to first answer.</summary>
    public double MillisecondsToFirstResponse { get; init; }

    /// <summary>Median RSS of the server's process tree when the first answer arrived.</summary>
    public long RssBytes { get; init; }

    /// <summary>Every measured spawn's milliseconds, in order (a round's, or all rounds' in a median).</summary>
    public IReadOnlyList<double> SpawnMilliseconds { get; init; } = [];

    /// <summary>Every measured spawn's RSS, in the same order.</summary>
    public IReadOnlyList<long> SpawnRssBytes { get; init; } = [];
}
