using Netloop.Buffers;

namespace Netloop.Tests.Buffers;

public class BufferPoolTests
{
    [Theory]
    [InlineData(0, 4096)]
    [InlineData(1, 4096)]
    [InlineData(4096, 4096)]
    [InlineData(4097, 8192)]
    [InlineData(16 * 1024, 16 * 1024)]
    [InlineData(1024 * 1024, 1024 * 1024)]
    public void Rent_gives_the_smallest_class_that_fits(int size, int expected)
    {
        var pool = new BufferPool();
        var block = pool.Rent(size);
        Assert.Equal(expected, block.Capacity);
        Assert.Equal(0, block.Length);
        pool.Return(block);
    }

    [Fact]
    public void Counts_outstanding_blocks_and_peak_bytes()
    {
        var pool = new BufferPool();
        var a = pool.Rent(4096);
        var b = pool.Rent(16384);
        Assert.Equal(2, pool.OutstandingBlocks);
        Assert.Equal(4096 + 16384, pool.OutstandingBytes);
        pool.Return(a);
        pool.Return(b);
        Assert.Equal(0, pool.OutstandingBlocks);
        Assert.Equal(0, pool.OutstandingBytes);
        Assert.Equal(4096 + 16384, pool.PeakOutstandingBytes);
    }

    [Fact]
    public void Reuses_returned_blocks()
    {
        var pool = new BufferPool();
        var first = pool.Rent(4096);
        pool.Return(first);
        var second = pool.Rent(4096);
        Assert.Same(first, second);
        pool.Return(second);
    }

    [Fact]
    public void Double_return_and_foreign_return_throw()
    {
        var pool = new BufferPool();
        var other = new BufferPool();
        var block = pool.Rent();
        Assert.Throws<InvalidOperationException>(() => other.Return(block));
        pool.Return(block);
        Assert.Throws<InvalidOperationException>(() => pool.Return(block));
    }

    [Fact]
    public unsafe void Blocks_are_pinned_and_disjoint()
    {
        var pool = new BufferPool();
        var blocks = Enumerable.Range(0, 100).Select(_ => pool.Rent(4096)).ToList();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        foreach (var block in blocks)
        {
            fixed (byte* p = block.Memory) Assert.Equal((nint)block.Address, (nint)p);
        }
        var starts = blocks.Select(b => (long)b.Address).Order().ToList();
        for (int i = 1; i < starts.Count; i++) Assert.True(starts[i] - starts[i - 1] >= 4096);
        blocks.ForEach(pool.Return);
    }

    [Fact]
    public void Rejects_sizes_above_the_largest_class()
    {
        var pool = new BufferPool();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(BufferPool.MaxBlockSize + 1));
    }

    [Fact]
    public void Trim_releases_fully_free_slabs()
    {
        var pool = new BufferPool();
        var blocks = Enumerable.Range(0, 64).Select(_ => pool.Rent(4096)).ToList();
        long reserved = pool.ReservedBytes;
        blocks.ForEach(pool.Return);
        pool.Trim();
        Assert.True(pool.ReservedBytes < reserved);
        Assert.Equal(0, pool.ReservedBytes);
    }

    [Fact]
    public void Thread_safe_pool_survives_concurrent_use()
    {
        var pool = new BufferPool(threadSafe: true);
        Parallel.For(0, 8, _ =>
        {
            for (int i = 0; i < 2000; i++) pool.Return(pool.Rent(4096 << (i % 3)));
        });
        Assert.Equal(0, pool.OutstandingBlocks);
    }
}
