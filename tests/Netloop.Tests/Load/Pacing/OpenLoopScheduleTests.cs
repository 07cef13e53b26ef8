using System.Diagnostics;
using Netloop.Load.Pacing;
using Netloop.Load.Stats;

namespace Netloop.Tests.Load.Pacing;

public sealed class OpenLoopScheduleTests
{
    [Fact]
    public void Each_connection_gets_its_share_of_the_rate_evenly_spaced()
    {
        // 1000 requests/s over 4 connections: each sends every 4 ms.
        var schedule = OpenLoopSchedule.Create(1000, 4, 0, startTicks: 0);
        long interval = Stopwatch.Frequency * 4 / 1000;

        Assert.True(schedule.IsEnabled);
        Assert.Equal(interval, schedule.IntervalTicks);
        Assert.Equal(0, schedule.Take());
        Assert.Equal(interval, schedule.Take());
        Assert.Equal(2 * interval, schedule.NextTicks);
        Assert.False(schedule.IsDue((2 * interval) - 1));
        Assert.True(schedule.IsDue(2 * interval));
    }

    [Fact]
    public void Connections_are_staggered_across_one_interval()
    {
        long interval = OpenLoopSchedule.Create(1000, 4, 0, 0).IntervalTicks;
        var starts = Enumerable.Range(0, 4).Select(i => OpenLoopSchedule.Create(1000, 4, i, 100).NextTicks).ToArray();
        Assert.Equal([100, 100 + (interval / 4), 100 + (interval / 2), 100 + (3 * interval / 4)], starts);
    }

    [Fact]
    public void The_default_schedule_is_closed_loop()
    {
        Assert.False(default(OpenLoopSchedule).IsEnabled);
    }

    [Fact]
    public void Latency_ticks_become_microseconds_clamped_to_the_histogram()
    {
        Assert.Equal(0, LoopStats.TicksToMicroseconds(-5));
        Assert.Equal(1500, LoopStats.TicksToMicroseconds(Stopwatch.Frequency * 3 / 2000));
        Assert.Equal(LoopStats.MaxLatencyUs, LoopStats.TicksToMicroseconds(Stopwatch.Frequency * 100_000));
    }

    [Fact]
    public void Loop_histograms_merge_into_one_summary()
    {
        var a = new LoopStats();
        var b = new LoopStats();
        for (int i = 1; i <= 900; i++) a.RecordResponse(Stopwatch.Frequency / 10_000); // 100 µs
        for (int i = 1; i <= 100; i++) b.RecordResponse(Stopwatch.Frequency / 100); // 10 ms
        b.RecordError(ErrorKind.Reset);
        a.RecordError(ErrorKind.Reset);
        a.RecordError(ErrorKind.Corrupt);

        var latency = LoopStats.SumLatency([a, b]);
        var errors = LoopStats.SumErrors([a, b]);

        Assert.InRange(latency.P50Us, 99, 101);
        Assert.InRange(latency.P90Us, 99, 101);
        Assert.InRange(latency.P99Us, 9_990, 10_010);
        Assert.InRange(latency.MaxUs, 9_990, 10_010);
        Assert.InRange(latency.MeanUs, 1_080, 1_100);
        Assert.Equal(2, errors.Reset);
        Assert.Equal(1, errors.Corrupt);
        Assert.Equal(3, errors.Total);
        Assert.Equal(0, LoopStats.SumLatency([new LoopStats()]).MaxUs);
    }
}
