using System.Numerics;

namespace Netloop.Buffers;

/// <summary>
/// A pool of pinned byte blocks in power-of-two size classes from 4 KiB to 1 MiB. Small classes are cut from
/// 256 KiB slabs on the pinned object heap, so handing a block's address to a syscall needs no pinning per call.
/// A reactor loop owns one pool and uses it from its own thread only (no locks); the blocking modes share one
/// pool created with <c>threadSafe: true</c>. The pool counts what is rented, so a leak is a number, not a guess.
/// </summary>
internal sealed class BufferPool
{
    /// <summary>Smallest block size.</summary>
    public const int MinBlockSize = 4 * 1024;

    /// <summary>Largest block size.</summary>
    public const int MaxBlockSize = 1024 * 1024;

    private const int MinShift = 12;
    private const int ClassCount = 9; // 4K .. 1M
    private const int SlabSize = 256 * 1024;

    private readonly Stack<BufferBlock>[] _free = new Stack<BufferBlock>[ClassCount];
    private readonly object? _lock;
    private long _outstandingBlocks;
    private long _outstandingBytes;
    private long _peakOutstandingBytes;
    private long _reservedBytes;

    /// <summary>Creates a pool; <paramref name="threadSafe"/> adds a lock for pools shared between threads.</summary>
    public BufferPool(bool threadSafe = false)
    {
        for (int i = 0; i < ClassCount; i++) _free[i] = new Stack<BufferBlock>();
        _lock = threadSafe ? new object() : null;
    }

    /// <summary>Blocks rented and not yet returned.</summary>
    public long OutstandingBlocks => Volatile.Read(ref _outstandingBlocks);

    /// <summary>Bytes of the blocks rented and not yet returned.</summary>
    public long OutstandingBytes => Volatile.Read(ref _outstandingBytes);

    /// <summary>The most bytes that were rented at one time since the pool was created or <see cref="ResetPeak"/>.</summary>
    public long PeakOutstandingBytes => Volatile.Read(ref _peakOutstandingBytes);

    /// <summary>Bytes of slab memory the pool holds (rented or free).</summary>
    public long ReservedBytes => Volatile.Read(ref _reservedBytes);

    /// <summary>Starts a new peak measurement from the bytes rented now.</summary>
    public void ResetPeak() => Volatile.Write(ref _peakOutstandingBytes, OutstandingBytes);

    /// <summary>The block size a request for <paramref name="size"/> bytes gets.</summary>
    public static int BlockSizeFor(int size) => 1 << (MinShift + ClassOf(size));

    /// <summary>Rents a block of at least <paramref name="size"/> bytes (at most <see cref="MaxBlockSize"/>), empty.</summary>
    public BufferBlock Rent(int size = MinBlockSize)
    {
        if ((uint)size > MaxBlockSize) throw new ArgumentOutOfRangeException(nameof(size), size, $"at most {MaxBlockSize} bytes");
        int sizeClass = ClassOf(size);
        if (_lock is null) return RentUnlocked(sizeClass);
        lock (_lock) return RentUnlocked(sizeClass);
    }

    /// <summary>Returns a block. Returning a block twice, or to another pool, throws: either would corrupt a connection's data.</summary>
    public void Return(BufferBlock block)
    {
        if (block.Owner != this) throw new InvalidOperationException("block returned to a pool that does not own it");
        if (_lock is null)
        {
            ReturnUnlocked(block);
            return;
        }
        lock (_lock) ReturnUnlocked(block);
    }

    /// <summary>Drops the free blocks' slabs where a whole slab is free, giving memory back to the GC.</summary>
    public void Trim()
    {
        if (_lock is null)
        {
            TrimUnlocked();
            return;
        }
        lock (_lock) TrimUnlocked();
    }

    private static int ClassOf(int size)
    {
        if (size <= MinBlockSize) return 0;
        return BitOperations.Log2((uint)size - 1) + 1 - MinShift;
    }

    private BufferBlock RentUnlocked(int sizeClass)
    {
        var free = _free[sizeClass];
        if (free.Count == 0) AddSlab(sizeClass);
        var block = free.Pop();
        block.IsRented = true;
        block.Start = 0;
        block.End = 0;
        block.Next = null;
        _outstandingBlocks++;
        _outstandingBytes += block.Capacity;
        if (_outstandingBytes > _peakOutstandingBytes) _peakOutstandingBytes = _outstandingBytes;
        return block;
    }

    private void ReturnUnlocked(BufferBlock block)
    {
        if (!block.IsRented) throw new InvalidOperationException("block returned twice");
        block.IsRented = false;
        block.Next = null;
        _outstandingBlocks--;
        _outstandingBytes -= block.Capacity;
        _free[block.SizeClass].Push(block);
    }

    private void AddSlab(int sizeClass)
    {
        int blockSize = 1 << (MinShift + sizeClass);
        int slabSize = Math.Max(blockSize, SlabSize);
        var slab = GC.AllocateUninitializedArray<byte>(slabSize, pinned: true);
        _reservedBytes += slabSize;
        for (int offset = slabSize - blockSize; offset >= 0; offset -= blockSize)
        {
            _free[sizeClass].Push(new BufferBlock(this, slab, offset, blockSize, sizeClass));
        }
    }

    private void TrimUnlocked()
    {
        for (int c = 0; c < ClassCount; c++)
        {
            var free = _free[c];
            if (free.Count == 0) continue;
            int blockSize = 1 << (MinShift + c);
            int perSlab = Math.Max(1, SlabSize / blockSize);
            var bySlab = new Dictionary<byte[], List<BufferBlock>>(ReferenceEqualityComparer.Instance);
            foreach (var block in free)
            {
                if (!bySlab.TryGetValue(block.Slab, out var list)) bySlab[block.Slab] = list = new List<BufferBlock>();
                list.Add(block);
            }
            free.Clear();
            foreach (var (slab, blocks) in bySlab)
            {
                if (blocks.Count == perSlab)
                {
                    _reservedBytes -= slab.Length;
                    continue;
                }
                foreach (var block in blocks) free.Push(block);
            }
        }
    }
}
