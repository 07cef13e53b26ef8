using System.Diagnostics;

namespace Netloop.Reactor;

/// <summary>
/// The loops' clock: CLOCK_MONOTONIC in milliseconds. Not <see cref="Environment.TickCount64"/>, which on Linux reads the
/// coarse clock and moves in jiffies (4 ms steps here): a load generator pacing requests with loop timers would report
/// that coarseness as latency.
/// </summary>
internal static class MonotonicClock
{
    private static readonly long s_ticksPerMs = Stopwatch.Frequency / 1000;

    /// <summary>Milliseconds since an arbitrary fixed point (boot); costs one vDSO clock_gettime.</summary>
    public static long NowMs => Stopwatch.GetTimestamp() / s_ticksPerMs;
}
