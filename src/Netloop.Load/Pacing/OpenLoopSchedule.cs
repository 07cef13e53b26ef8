using System.Diagnostics;

namespace Netloop.Load.Pacing;

/// <summary>
/// When each request of one connection is meant to be sent in an open-loop run (<c>--rate</c>): evenly spaced at the
/// connection's share of the rate, whatever the server does. A request's latency is measured from its intended time,
/// not from when it could actually be sent, so a server that stalls is charged for every request that should have gone
/// out meanwhile (the coordinated-omission correction of wrk2).
/// </summary>
internal struct OpenLoopSchedule
{
    private long _next;
    private long _interval;

    /// <summary>
    /// A schedule for connection <paramref name="index"/> of <paramref name="connections"/> sharing
    /// <paramref name="requestsPerSecond"/>, starting at <paramref name="startTicks"/> (<see cref="Stopwatch"/> ticks).
    /// Connections are staggered across one interval so their requests interleave instead of leaving in bursts.
    /// </summary>
    public static OpenLoopSchedule Create(double requestsPerSecond, int connections, int index, long startTicks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(connections);
        long interval = Math.Max(1, (long)(Stopwatch.Frequency * connections / requestsPerSecond));
        return new OpenLoopSchedule
        {
            _interval = interval,
            _next = startTicks + (interval * index / connections),
        };
    }

    /// <summary>True for a schedule made by <see cref="Create"/>; false for the default (closed loop).</summary>
    public readonly bool IsEnabled => _interval > 0;

    /// <summary>The intended time of the next request.</summary>
    public readonly long NextTicks => _next;

    /// <summary>Ticks between two requests of this connection.</summary>
    public readonly long IntervalTicks => _interval;

    /// <summary>True when the next request is due at <paramref name="nowTicks"/>.</summary>
    public readonly bool IsDue(long nowTicks) => _next <= nowTicks;

    /// <summary>Takes the next intended time and moves on to the one after.</summary>
    public long Take()
    {
        long intended = _next;
        _next += _interval;
        return intended;
    }
}
