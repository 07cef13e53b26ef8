using Netloop.Reactor;

namespace Netloop.Tests.Support;

/// <summary>A loop clock the test drives: time stands still until <see cref="Advance"/> moves it on.</summary>
public sealed class FakeClock : LoopClock
{
    private static readonly DateTime s_start = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private long _nowMs = 1_000_000;

    public override long NowMs => Interlocked.Read(ref _nowMs);

    public override DateTime UtcNow => s_start.AddMilliseconds(NowMs - 1_000_000);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _nowMs, (long)by.TotalMilliseconds);
}
