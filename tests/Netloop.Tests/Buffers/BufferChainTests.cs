using Netloop.Buffers;
using Netloop.Native;

namespace Netloop.Tests.Buffers;

public class BufferChainTests
{
    [Fact]
    public void Empty_chain_holds_no_block()
    {
        var pool = new BufferPool();
        var chain = new BufferChain(pool);
        Assert.True(chain.IsEmpty);
        Assert.Equal(0, pool.OutstandingBlocks);
    }

    [Fact]
    public void Written_bytes_come_out_in_order_across_blocks_and_blocks_return_when_consumed()
    {
        var pool = new BufferPool();
        var chain = new BufferChain(pool);
        var data = Support.Clients.RandomBytes(100_000, 1);
        chain.Write(data.AsSpan(0, 30_000));
        var span = chain.GetSpan(50_000);
        data.AsSpan(30_000, 50_000).CopyTo(span);
        chain.Advance(50_000);
        chain.Write(data.AsSpan(80_000));
        Assert.Equal(100_000, chain.Length);

        var collected = new List<byte>();
        while (!chain.IsEmpty)
        {
            var head = chain.Head!;
            int take = Math.Min(head.Length, 7777);
            collected.AddRange(head.Data[..take].ToArray());
            chain.Consume(take);
        }
        Assert.Equal(data, collected.ToArray());
        Assert.Equal(0, pool.OutstandingBlocks);
    }

    [Fact]
    public unsafe void FillVectors_describes_the_unsent_bytes()
    {
        var pool = new BufferPool();
        var chain = new BufferChain(pool);
        var data = Support.Clients.RandomBytes(40_000, 2);
        chain.Write(data);
        chain.Consume(1000);
        Span<IoVector> vectors = stackalloc IoVector[8];
        int count = chain.FillVectors(vectors);
        var joined = new List<byte>();
        for (int i = 0; i < count; i++) joined.AddRange(new ReadOnlySpan<byte>(vectors[i].Base, (int)vectors[i].Length).ToArray());
        Assert.Equal(data[1000..], joined.ToArray());
        chain.Clear();
        Assert.Equal(0, pool.OutstandingBlocks);
    }

    [Fact]
    public void Advance_past_the_span_throws()
    {
        var chain = new BufferChain(new BufferPool());
        int length = chain.GetSpan(10).Length;
        Assert.Throws<ArgumentOutOfRangeException>(() => chain.Advance(length + 1));
        chain.Clear();
    }
}
