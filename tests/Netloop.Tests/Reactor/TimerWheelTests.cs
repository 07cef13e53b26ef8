using Netloop.Reactor;

namespace Netloop.Tests.Reactor;

public class TimerWheelTests
{
    private sealed class Probe : TimerEntry
    {
        public List<long> Fired { get; } = new();

        public Action<long>? Then { get; set; }

        protected internal override void OnTimer(long nowMs)
        {
            Fired.Add(nowMs);
            Then?.Invoke(nowMs);
        }
    }

    [Fact]
    public void Fires_at_or_after_the_due_time_never_before()
    {
        var wheel = new TimerWheel(1000, tickMs: 10, slotCount: 16);
        var probe = new Probe();
        wheel.Schedule(probe, 1055);
        for (long now = 1000; now < 1055; now++) wheel.Advance(now);
        Assert.Empty(probe.Fired);
        wheel.Advance(1060);
        Assert.Equal(new long[] { 1060 }, probe.Fired);
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void Entries_more_than_one_revolution_ahead_wait_their_turn()
    {
        var wheel = new TimerWheel(0, tickMs: 10, slotCount: 8); // one revolution = 80 ms
        var far = new Probe();
        var near = new Probe();
        wheel.Schedule(far, 250);
        wheel.Schedule(near, 10);
        for (long now = 0; now <= 240; now += 5) wheel.Advance(now);
        Assert.Single(near.Fired);
        Assert.Empty(far.Fired);
        wheel.Advance(250);
        Assert.Single(far.Fired);
    }

    [Fact]
    public void Reschedule_and_cancel_move_or_remove_the_entry()
    {
        var wheel = new TimerWheel(0, tickMs: 10, slotCount: 64);
        var probe = new Probe();
        wheel.Schedule(probe, 50);
        wheel.Schedule(probe, 300);
        Assert.Equal(1, wheel.Count);
        wheel.Advance(100);
        Assert.Empty(probe.Fired);
        wheel.Cancel(probe);
        Assert.False(probe.IsScheduled);
        wheel.Advance(400);
        Assert.Empty(probe.Fired);
    }

    [Fact]
    public void A_long_stall_fires_everything_overdue_once()
    {
        var wheel = new TimerWheel(0, tickMs: 10, slotCount: 8);
        var probes = Enumerable.Range(1, 50).Select(_ => new Probe()).ToList();
        for (int i = 0; i < probes.Count; i++) wheel.Schedule(probes[i], i * 7);
        wheel.Advance(10_000);
        Assert.All(probes, p => Assert.Single(p.Fired));
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void A_callback_may_reschedule_itself_and_cancel_others()
    {
        var wheel = new TimerWheel(0, tickMs: 10, slotCount: 16);
        var victim = new Probe();
        var repeating = new Probe();
        repeating.Then = now =>
        {
            wheel.Cancel(victim);
            if (repeating.Fired.Count < 3) wheel.Schedule(repeating, now + 20);
        };
        wheel.Schedule(repeating, 20);
        wheel.Schedule(victim, 20);
        for (long now = 0; now <= 200; now += 10) wheel.Advance(now);
        Assert.Equal(3, repeating.Fired.Count);
        Assert.True(victim.Fired.Count <= 1);
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void Reports_how_long_the_loop_may_sleep()
    {
        var wheel = new TimerWheel(0, tickMs: 10, slotCount: 64);
        Assert.Equal(-1, wheel.MillisecondsUntilNext(0));
        wheel.Schedule(new Probe(), 95);
        int wait = wheel.MillisecondsUntilNext(0);
        Assert.InRange(wait, 95, 100);
    }

    [Fact]
    public void Random_schedules_fire_in_due_order_within_one_tick()
    {
        var random = new Random(42);
        var wheel = new TimerWheel(0, tickMs: 5, slotCount: 32);
        var fired = new List<(long Due, long At)>();
        var probes = new List<Probe>();
        for (int i = 0; i < 500; i++)
        {
            var p = new Probe();
            long due = random.Next(0, 2000);
            p.Then = now => fired.Add((p.DueMs, now));
            wheel.Schedule(p, due);
            probes.Add(p);
        }
        for (long now = 0; now <= 2100; now += random.Next(1, 13)) wheel.Advance(now);
        wheel.Advance(2200);
        Assert.Equal(500, fired.Count);
        Assert.All(fired, f => Assert.True(f.At >= f.Due && f.At - f.Due < 20, $"due {f.Due} fired at {f.At}"));
    }
}
