using Netloop.Buffers;

namespace Netloop.Tests.Buffers;

public class InputBufferTests
{
    [Fact]
    public void Keeps_unconsumed_bytes_and_releases_the_block_when_empty()
    {
        var pool = new BufferPool();
        var input = new InputBuffer(pool);
        input.Append("hello "u8);
        input.Append("world"u8);
        Assert.Equal("hello world"u8.ToArray(), input.Data.ToArray());
        input.Consume(6);
        Assert.Equal("world"u8.ToArray(), input.Data.ToArray());
        input.Consume(5);
        Assert.True(input.IsEmpty);
        Assert.Equal(0, pool.OutstandingBlocks);
    }

    [Fact]
    public void Grows_past_one_block_and_keeps_the_data()
    {
        var pool = new BufferPool();
        var input = new InputBuffer(pool);
        var data = Support.Clients.RandomBytes(200_000, 3);
        for (int i = 0; i < data.Length; i += 3000) input.Append(data.AsSpan(i, Math.Min(3000, data.Length - i)));
        Assert.Equal(data, input.Data.ToArray());
        input.Clear();
        Assert.Equal(0, pool.OutstandingBlocks);
    }

    [Fact]
    public void Refuses_to_grow_past_the_largest_block()
    {
        var pool = new BufferPool();
        var input = new InputBuffer(pool);
        input.Append(new byte[BufferPool.MaxBlockSize - 10]);
        Assert.False(input.EnsureFree(100));
        input.Clear();
    }
}
