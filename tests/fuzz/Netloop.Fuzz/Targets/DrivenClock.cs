using Netloop.Reactor;

namespace Netloop.Fuzz;

/// <summary>A loop clock the target moves on by hand, so timers fire at the end of an input without waiting.</summary>
internal sealed class DrivenClock : LoopClock
{
    private static readonly DateTime s_start = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private long _nowMs = 1_000_000;

    public override long NowMs => _nowMs;

    public override DateTime UtcNow => s_start.AddMilliseconds(_nowMs - 1_000_000);

    public void Advance(TimeSpan by) => _nowMs += (long)by.TotalMilliseconds;
}
