using BenchmarkDotNet.Attributes;
using Netloop.Reactor;

namespace Netloop.Benchmarks;

/// <summary>The timer wheel's O(1) operations: reschedule (what a connection does on activity) and a full expire pass.</summary>
[MemoryDiagnoser]
public class TimerWheelBenchmarks
{
    private sealed class Entry : TimerEntry
    {
        protected internal override void OnTimer(long nowMs)
        {
        }
    }

    private readonly Entry[] _entries = Enumerable.Range(0, 10_000).Select(_ => new Entry()).ToArray();
    private TimerWheel _wheel = null!;
    private long _now;

    [GlobalSetup]
    public void Setup()
    {
        _wheel = new TimerWheel(0);
        for (int i = 0; i < _entries.Length; i++) _wheel.Schedule(_entries[i], 60_000 + i);
    }

    [Benchmark]
    public void Reschedule()
    {
        _now++;
        _wheel.Schedule(_entries[_now % _entries.Length], 60_000 + _now);
    }

    [Benchmark]
    public int AdvanceOneTick()
    {
        _now += 10;
        return _wheel.Advance(_now);
    }
}
