namespace Netloop.Buffers;

/// <summary>
/// One pinned block of pool memory. The object is created once per slab slice and reused for the pool's lifetime,
/// so renting and returning allocate nothing. <see cref="Start"/> and <see cref="End"/> mark the bytes in use,
/// and <see cref="Next"/> links blocks into a <see cref="BufferChain"/> without a separate node object.
/// </summary>
internal sealed unsafe class BufferBlock
{
    internal BufferBlock(BufferPool owner, byte[] slab, int offset, int capacity, int sizeClass)
    {
        Owner = owner;
        Slab = slab;
        Offset = offset;
        Capacity = capacity;
        SizeClass = sizeClass;
        // The slab is on the pinned object heap, so this address stays valid for as long as the pool holds the slab.
        Address = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref slab[offset]);
    }

    internal BufferPool Owner { get; }
    internal byte[] Slab { get; }
    internal int Offset { get; }
    internal int SizeClass { get; }
    internal bool IsRented;

    /// <summary>Usable bytes in the block.</summary>
    public int Capacity { get; }

    /// <summary>Address of the block's first byte, stable while the block is rented.</summary>
    public byte* Address { get; }

    /// <summary>First byte of data in use.</summary>
    public int Start { get; set; }

    /// <summary>One past the last byte of data in use.</summary>
    public int End { get; set; }

    /// <summary>The next block of the chain this block belongs to, if any.</summary>
    public BufferBlock? Next { get; set; }

    /// <summary>Bytes between <see cref="Start"/> and <see cref="End"/>.</summary>
    public int Length => End - Start;

    /// <summary>Free bytes after <see cref="End"/>.</summary>
    public int Free => Capacity - End;

    /// <summary>The whole block as a span.</summary>
    public Span<byte> Memory => new(Slab, Offset, Capacity);

    /// <summary>The data in use.</summary>
    public Span<byte> Data => new(Slab, Offset + Start, End - Start);

    /// <summary>The free space after the data.</summary>
    public Span<byte> FreeSpan => new(Slab, Offset + End, Capacity - End);

    /// <summary>The data in use as <see cref="Memory{T}"/>, for async socket APIs.</summary>
    public Memory<byte> DataMemory => new(Slab, Offset + Start, End - Start);

    /// <summary>The free space as <see cref="Memory{T}"/>, for async socket APIs.</summary>
    public Memory<byte> FreeMemory => new(Slab, Offset + End, Capacity - End);
}
