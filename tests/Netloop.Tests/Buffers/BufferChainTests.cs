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

    // The gathered write (writev) edge cases Connection.FlushNow relies on: fewer iovecs than blocks, a byte limit that
    // stops inside a block (a file queued after buffered bytes), and a partial write that ends inside the second vector.

    [Fact]
    public unsafe void FillVectors_stops_at_the_number_of_vectors_offered()
    {
        var chain = new BufferChain(new BufferPool());
        var data = Support.Clients.RandomBytes(5 * BufferChain.DefaultBlockSize, 3);
        chain.Write(data);
        Span<IoVector> vectors = stackalloc IoVector[2];

        int count = chain.FillVectors(vectors);

        Assert.Equal(2, count);
        Assert.Equal(data[..(2 * BufferChain.DefaultBlockSize)], Join(vectors[..count]));
        chain.Clear();
    }

    [Fact]
    public unsafe void FillVectors_with_a_byte_limit_ends_inside_a_block()
    {
        var chain = new BufferChain(new BufferPool());
        var data = Support.Clients.RandomBytes(3 * BufferChain.DefaultBlockSize, 4);
        chain.Write(data);
        Span<IoVector> vectors = stackalloc IoVector[8];
        int limit = BufferChain.DefaultBlockSize + 100;

        int count = chain.FillVectors(vectors, limit);

        Assert.Equal(2, count);
        Assert.Equal(100, (int)vectors[1].Length);
        Assert.Equal(data[..limit], Join(vectors[..count]));
        Assert.Equal(0, chain.FillVectors(vectors, 0));
        chain.Clear();
    }

    [Fact]
    public unsafe void A_partial_write_ending_inside_the_second_vector_resumes_at_the_next_unsent_byte()
    {
        var pool = new BufferPool();
        var chain = new BufferChain(pool);
        var data = Support.Clients.RandomBytes(3 * BufferChain.DefaultBlockSize, 5);
        chain.Write(data);
        Span<IoVector> vectors = stackalloc IoVector[8];
        int sent = BufferChain.DefaultBlockSize + 1234; // what a short writev took

        chain.Consume(sent);
        int count = chain.FillVectors(vectors);

        Assert.Equal(2, count);
        Assert.Equal(BufferChain.DefaultBlockSize - 1234, (int)vectors[0].Length);
        Assert.Equal(data[sent..], Join(vectors[..count]));
        Assert.Equal(2, pool.OutstandingBlocks); // the fully sent first block went back to the pool at once
        chain.Clear();
        Assert.Equal(0, pool.OutstandingBlocks);
    }

    [Fact]
    public unsafe void An_empty_chain_offers_no_vector_and_consuming_more_than_it_holds_throws()
    {
        var chain = new BufferChain(new BufferPool());
        Span<IoVector> vectors = stackalloc IoVector[4];
        Assert.Equal(0, chain.FillVectors(vectors));

        chain.Write([1, 2, 3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => chain.Consume(4));
        Assert.Equal(3, chain.Length); // unchanged by the refused consume
        chain.Clear();
    }

    private static unsafe byte[] Join(ReadOnlySpan<IoVector> vectors)
    {
        var joined = new List<byte>();
        foreach (var v in vectors) joined.AddRange(new ReadOnlySpan<byte>(v.Base, (int)v.Length).ToArray());
        return joined.ToArray();
    }
}
