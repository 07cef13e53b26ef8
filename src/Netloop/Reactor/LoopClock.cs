namespace Netloop.Reactor;

/// <summary>
/// The time an event loop runs on: every timeout (idle, request headers, body data rate, shutdown), the timer wheel
/// and the HTTP Date header read the loop's clock, never the system's directly, so a test can drive time by hand.
/// </summary>
public abstract class LoopClock
{
    /// <summary>The system's clock: CLOCK_MONOTONIC for <see cref="NowMs"/>, the system time for <see cref="UtcNow"/>.</summary>
    public static LoopClock System { get; } = new SystemLoopClock();

    /// <summary>Milliseconds since an arbitrary fixed point; never goes back. Timeouts and timers are measured on it.</summary>
    public abstract long NowMs { get; }

    /// <summary>The wall-clock time, for what a peer is told (the HTTP <c>Date</c> header); never used to measure time.</summary>
    public abstract DateTime UtcNow { get; }

    private sealed class SystemLoopClock : LoopClock
    {
        public override long NowMs => MonotonicClock.NowMs;

        public override DateTime UtcNow => DateTime.UtcNow;
    }
}
