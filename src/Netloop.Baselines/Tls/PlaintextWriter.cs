using System.Buffers;

namespace Netloop.Baselines.Tls;

/// <summary>
/// Where the plaintext protocol's output collects until it is encrypted, at the end of each call into that protocol
/// (so one response becomes as few TLS records as its size allows, not one per header write). The array is rented
/// from the shared pool on the first write and returned once encrypted, so an idle connection holds none.
/// </summary>
internal sealed class PlaintextWriter : IBufferWriter<byte>
{
    private const int InitialSize = 4096;

    private byte[]? _buffer;
    private int _length;

    /// <summary>Bytes written and not yet encrypted.</summary>
    public int Length => _length;

    /// <summary>The bytes written.</summary>
    public ArraySegment<byte> Written => new(_buffer ?? [], 0, _length);

    public Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_length);

    public Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_length);

    public void Advance(int count)
    {
        if (_buffer is null || (uint)count > (uint)(_buffer.Length - _length)) throw new ArgumentOutOfRangeException(nameof(count));
        _length += count;
    }

    /// <summary>Forgets the bytes and returns the array.</summary>
    public void Clear()
    {
        _length = 0;
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }

    private byte[] Reserve(int sizeHint)
    {
        int needed = _length + Math.Max(sizeHint, 1);
        if (_buffer is not null && _buffer.Length >= needed) return _buffer;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(InitialSize, (_buffer?.Length ?? 0) * 2)));
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = bigger;
        return bigger;
    }
}
