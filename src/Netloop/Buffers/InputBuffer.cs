namespace Netloop.Buffers;

/// <summary>
/// The bytes a protocol has received but not consumed yet, in one contiguous pooled block. Empty most of the time:
/// reads land in the loop's scratch buffer and only an unconsumed tail is copied here, so an idle connection holds nothing.
/// </summary>
internal sealed class InputBuffer
{
    private readonly BufferPool _pool;
    private BufferBlock? _block;

    /// <summary>Creates an empty buffer that rents from <paramref name="pool"/>.</summary>
    public InputBuffer(BufferPool pool) => _pool = pool;

    /// <summary>Unconsumed bytes held.</summary>
    public int Length => _block?.Length ?? 0;

    /// <summary>True when nothing is held.</summary>
    public bool IsEmpty => _block is null;

    /// <summary>The unconsumed bytes.</summary>
    public Span<byte> Data => _block is null ? default : _block.Data;

    /// <summary>The block, for receiving straight into its free space.</summary>
    internal BufferBlock? Block => _block;

    /// <summary>Appends a copy of <paramref name="data"/>, growing the block as needed (up to the pool's largest).</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        EnsureFree(data.Length);
        data.CopyTo(_block!.FreeSpan);
        _block.End += data.Length;
    }

    /// <summary>Makes room for at least <paramref name="count"/> more bytes after the data; false when that would pass the largest block.</summary>
    public bool EnsureFree(int count)
    {
        var block = _block;
        if (block is null)
        {
            if (count > BufferPool.MaxBlockSize) return false;
            _block = _pool.Rent(count);
            return true;
        }
        if (block.Free >= count) return true;
        int length = block.Length;
        if (block.Start > 0 && block.Capacity - length >= count)
        {
            block.Data.CopyTo(block.Memory);
            block.Start = 0;
            block.End = length;
            return true;
        }
        long needed = (long)length + count;
        if (needed > BufferPool.MaxBlockSize) return false;
        var bigger = _pool.Rent((int)needed);
        block.Data.CopyTo(bigger.Memory);
        bigger.End = length;
        _pool.Return(block);
        _block = bigger;
        return true;
    }

    /// <summary>Records <paramref name="count"/> bytes received straight into the free space.</summary>
    internal void Commit(int count) => _block!.End += count;

    /// <summary>Drops <paramref name="count"/> consumed bytes; the block goes back to the pool once empty.</summary>
    public void Consume(int count)
    {
        var block = _block;
        if (block is null)
        {
            ArgumentOutOfRangeException.ThrowIfNotEqual(count, 0);
            return;
        }
        if ((uint)count > (uint)block.Length) throw new ArgumentOutOfRangeException(nameof(count));
        block.Start += count;
        if (block.Length == 0) Clear();
    }

    /// <summary>Returns the block to the pool.</summary>
    public void Clear()
    {
        if (_block is null) return;
        _pool.Return(_block);
        _block = null;
    }
}
