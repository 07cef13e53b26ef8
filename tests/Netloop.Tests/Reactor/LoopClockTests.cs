using Microsoft.Extensions.Logging.Abstractions;
using Netloop.Reactor;
using Netloop.Tests.Support;

namespace Netloop.Tests.Reactor;

/// <summary>An event loop keeps time on the clock it is given: its iterations, its timer wheel, and so every timeout of its connections.</summary>
public class LoopClockTests
{
    private sealed class Probe : TimerEntry
    {
        public List<long> Fired { get; } = new();

        protected internal override void OnTimer(long nowMs) => Fired.Add(nowMs);
    }

    [Fact]
    public void The_loops_timers_fire_when_its_clock_says_so_not_the_systems()
    {
        var clock = new FakeClock();
        using var loop = new EventLoop(0, new EpollPoller(), NullLogger.Instance, clock: clock);
        Assert.Same(clock, loop.Clock);
        Assert.Equal(clock.NowMs, loop.NowMs);
        var probe = new Probe();
        loop.Timers.Schedule(probe, clock.NowMs + 5_000);

        for (int i = 0; i < 3; i++) Iterate(loop); // real time passes; the loop's does not
        Assert.Empty(probe.Fired);

        clock.Advance(TimeSpan.FromMilliseconds(4_990));
        Iterate(loop);
        Assert.Empty(probe.Fired);

        clock.Advance(TimeSpan.FromMilliseconds(20));
        Iterate(loop);
        Assert.Equal(new[] { clock.NowMs }, probe.Fired);
    }

    [Fact]
    public void The_system_clock_is_monotonic_and_tells_the_time_of_day()
    {
        long before = LoopClock.System.NowMs;
        Assert.True(LoopClock.System.NowMs >= before);
        Assert.InRange(LoopClock.System.UtcNow, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
    }

    /// <summary>One loop iteration that does not wait: posted work makes the poller's timeout zero.</summary>
    private static void Iterate(EventLoop loop)
    {
        loop.Post(static _ => { }, null);
        loop.RunOnce();
    }
}
