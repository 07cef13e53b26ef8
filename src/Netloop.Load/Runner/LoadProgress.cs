using Netloop.Load.Results;

namespace Netloop.Load.Runner;

/// <summary>A snapshot of a run in progress, for the live progress line.</summary>
public sealed record LoadProgress
{
    /// <summary>Time since the load started.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>The run's planned length (null when it runs until a request count is reached).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Verified responses so far.</summary>
    public long Requests { get; init; }

    /// <summary>Responses per second since the previous snapshot.</summary>
    public double RequestsPerSecond { get; init; }

    /// <summary>Errors so far, every kind.</summary>
    public long Errors { get; init; }

    /// <summary>Connections open now.</summary>
    public int OpenConnections { get; init; }

    /// <summary>Connections opened so far (reconnects included).</summary>
    public long ConnectionsOpened { get; init; }

    /// <summary>The watched server's latest sample, with <c>--monitor-pid</c>.</summary>
    public MonitorSample? Server { get; init; }
}
