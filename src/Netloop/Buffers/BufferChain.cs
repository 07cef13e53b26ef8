using System.Buffers;
using Netloop.Native;

namespace Netloop.Buffers;

/// <summary>
/// A FIFO of bytes in pooled blocks: protocols append through <see cref="IBufferWriter{T}"/>, the transport drains
/// the front with one gathered write. Holds no block while empty, so an idle connection costs no buffer memory.
/// </summary>
internal sealed unsafe class BufferChain : IBufferWriter<byte>
{
    /// <summary>The block size a chain rents when the writer asks for less.</summary>
    public const int DefaultBlockSize = 16 * 1024;

    private readonly BufferPool _pool;
    private BufferBlock? _head;
    private BufferBlock? _tail;
    private long _length;

    /// <summary>Creates an empty chain that rents from <paramref name="pool"/>.</summary>
    public BufferChain(BufferPool pool) => _pool = pool;

    /// <summary>Bytes written and not yet consumed.</summary>
    public long Length => _length;

    /// <summary>True when nothing waits to be sent.</summary>
    public bool IsEmpty => _length == 0;

    /// <summary>The first block with data, for senders that walk the chain themselves.</summary>
    public BufferBlock? Head => _head;

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0) => EnsureTail(sizeHint).FreeSpan;

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0) => EnsureTail(sizeHint).FreeMemory;

    /// <inheritdoc/>
    public void Advance(int count)
    {
        var tail = _tail;
        if (tail is null || (uint)count > (uint)tail.Free) throw new ArgumentOutOfRangeException(nameof(count));
        tail.End += count;
        _length += count;
    }

    /// <summary>Appends a copy of <paramref name="data"/>.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var tail = EnsureTail(Math.Min(data.Length, DefaultBlockSize));
            int n = Math.Min(tail.Free, data.Length);
            data[..n].CopyTo(tail.FreeSpan);
            tail.End += n;
            _length += n;
            data = data[n..];
        }
    }

    /// <summary>Fills <paramref name="vectors"/> with the front of the chain; returns how many were filled.</summary>
    internal int FillVectors(Span<IoVector> vectors) => FillVectors(vectors, long.MaxValue);

    /// <summary>Fills <paramref name="vectors"/> with at most <paramref name="maxBytes"/> from the front of the chain; returns how many were filled.</summary>
    internal int FillVectors(Span<IoVector> vectors, long maxBytes)
    {
        int count = 0;
        for (var block = _head; block is not null && count < vectors.Length && maxBytes > 0; block = block.Next)
        {
            if (block.Length == 0) continue;
            int length = (int)Math.Min(block.Length, maxBytes);
            vectors[count].Base = block.Address + block.Start;
            vectors[count].Length = (nuint)length;
            maxBytes -= length;
            count++;
        }
        return count;
    }

    /// <summary>Drops <paramref name="count"/> bytes from the front (they were sent) and returns emptied blocks to the pool.</summary>
    public void Consume(long count)
    {
        if ((ulong)count > (ulong)_length) throw new ArgumentOutOfRangeException(nameof(count));
        _length -= count;
        while (count > 0)
        {
            var head = _head!;
            int n = (int)Math.Min(count, head.Length);
            head.Start += n;
            count -= n;
            if (head.Length == 0) PopHead();
        }
        if (_length == 0) Clear();
    }

    /// <summary>Returns every block to the pool, discarding unsent bytes.</summary>
    public void Clear()
    {
        while (_head is not null) PopHead();
        _length = 0;
    }

    private void PopHead()
    {
        var head = _head!;
        _head = head.Next;
        if (_head is null) _tail = null;
        _pool.Return(head);
    }

    private BufferBlock EnsureTail(int sizeHint)
    {
        var tail = _tail;
        if (tail is not null && tail.Free >= Math.Max(sizeHint, 1)) return tail;
        var block = _pool.Rent(Math.Max(sizeHint, DefaultBlockSize));
        if (tail is null) _head = block;
        else tail.Next = block;
        _tail = block;
        return block;
    }
}
