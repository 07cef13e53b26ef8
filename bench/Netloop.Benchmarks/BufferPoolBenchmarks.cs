using BenchmarkDotNet.Attributes;
using Netloop.Buffers;

namespace Netloop.Benchmarks;

/// <summary>Renting and returning pooled blocks, single-threaded (a loop's pool) and locked (the baselines' shared pool).</summary>
[MemoryDiagnoser]
public class BufferPoolBenchmarks
{
    private readonly BufferPool _loopPool = new();
    private readonly BufferPool _sharedPool = new(threadSafe: true);

    [Benchmark(Baseline = true)]
    public int RentReturnLoopPool()
    {
        var block = _loopPool.Rent(16 * 1024);
        _loopPool.Return(block);
        return block.Capacity;
    }

    [Benchmark]
    public int RentReturnSharedPool()
    {
        var block = _sharedPool.Rent(16 * 1024);
        _sharedPool.Return(block);
        return block.Capacity;
    }
}
