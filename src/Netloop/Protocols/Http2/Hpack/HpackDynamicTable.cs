using System.Numerics;

namespace Netloop.Protocols.Http2.Hpack;

/// <summary>
/// The HPACK dynamic table (RFC 7541 §2.3.2, §4): a FIFO of fields, newest first, bounded by its size in RFC units
/// (name + value + 32 per entry, §4.1), evicting the oldest entries to make room (§4.4).
/// <para>
/// Storage allocates nothing per entry: the bytes of all entries live in one ring buffer, each entry contiguous (an
/// entry that does not fit before the end of the buffer starts again at 0, leaving a gap until the entries before it
/// are evicted), and the entries' offsets in a ring of structs. With M = limit - 32 (the most data the table can hold),
/// a buffer of 2M bytes always has room; buffers start small and double up to that on demand, so a table of a few
/// response fields stays a few hundred bytes, and nothing is allocated before the first insert.
/// </para>
/// </summary>
internal sealed class HpackDynamicTable
{
    public const int EntryOverhead = 32;

    private struct Entry
    {
        public int Offset;
        public int NameLength;
        public int ValueLength;
    }

    private readonly int _limit;
    private int _maxSize;
    private int _size;

    private Entry[]? _entries;
    private int _oldest; // ring index in _entries
    private int _count;

    private byte[]? _bytes;
    private int _head;      // offset of the oldest entry's bytes
    private int _tail;      // offset where the next entry's bytes go
    private int _preWrap;   // when > 0: the oldest _preWrap entries lie after _head, before a gap at the buffer's end;
                            // the rest in [0, _tail)

    /// <param name="limit">The largest maximum size the table may ever be given (RFC units); the initial maximum.</param>
    public HpackDynamicTable(int limit)
    {
        _limit = limit;
        _maxSize = limit;
    }

    public int Count => _count;

    /// <summary>The current size in RFC 7541 §4.1 units.</summary>
    public int Size => _size;

    public int MaxSize => _maxSize;

    /// <summary>Sets the maximum size (0..limit, checked by the caller), evicting the oldest entries to fit (§4.3).</summary>
    public void SetMaxSize(int maxSize)
    {
        _maxSize = maxSize;
        EvictUntil(maxSize);
    }

    /// <summary>The name of entry <paramref name="index"/>, 0 being the newest (HPACK index 62).</summary>
    public ReadOnlySpan<byte> Name(int index)
    {
        ref Entry entry = ref At(index);
        return new ReadOnlySpan<byte>(_bytes, entry.Offset, entry.NameLength);
    }

    public ReadOnlySpan<byte> Value(int index)
    {
        ref Entry entry = ref At(index);
        return new ReadOnlySpan<byte>(_bytes, entry.Offset + entry.NameLength, entry.ValueLength);
    }

    /// <summary>
    /// Adds a field as the newest entry (§4.4): evicts the oldest entries until it fits; a field larger than the
    /// maximum size empties the table and is not added. <paramref name="name"/> and <paramref name="value"/> must not
    /// point into this table (eviction could overwrite them).
    /// </summary>
    public void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        long entrySize = (long)name.Length + value.Length + EntryOverhead;
        if (entrySize > _maxSize)
        {
            Clear();
            return;
        }
        EvictUntil(_maxSize - (int)entrySize);
        int length = name.Length + value.Length;
        int offset = Reserve(length);
        name.CopyTo(_bytes.AsSpan(offset));
        value.CopyTo(_bytes.AsSpan(offset + name.Length));

        if (_entries is null || _count == _entries.Length) GrowEntries();
        ref Entry entry = ref _entries![(_oldest + _count) % _entries.Length];
        entry.Offset = offset;
        entry.NameLength = name.Length;
        entry.ValueLength = value.Length;
        _count++;
        _size += (int)entrySize;
    }

    /// <summary>Empties the table (an entry larger than the table, §4.4; or a size of 0). Keeps its buffers.</summary>
    public void Clear()
    {
        _count = 0;
        _size = 0;
        _oldest = 0;
        _head = _tail = _preWrap = 0;
    }

    /// <summary>
    /// The newest entry equal to the field (-1 if none), and in <paramref name="nameIndex"/> the newest entry with that
    /// name (-1 if none). Entries are 0-based from the newest.
    /// </summary>
    public int Find(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, out int nameIndex)
    {
        nameIndex = -1;
        for (int i = 0; i < _count; i++)
        {
            ref Entry entry = ref At(i);
            if (entry.NameLength != name.Length || !name.SequenceEqual(new ReadOnlySpan<byte>(_bytes, entry.Offset, entry.NameLength))) continue;
            if (nameIndex < 0) nameIndex = i;
            if (entry.ValueLength == value.Length && value.SequenceEqual(new ReadOnlySpan<byte>(_bytes, entry.Offset + entry.NameLength, entry.ValueLength))) return i;
        }
        return -1;
    }

    private ref Entry At(int index)
    {
        if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
        return ref _entries![(_oldest + _count - 1 - index) % _entries.Length];
    }

    private void EvictUntil(int size)
    {
        while (_size > size)
        {
            ref Entry oldest = ref _entries![_oldest];
            _size -= oldest.NameLength + oldest.ValueLength + EntryOverhead;
            _oldest = (_oldest + 1) % _entries.Length;
            _count--;
            if (_count == 0)
            {
                Clear();
                return;
            }
            if (_preWrap > 0) _preWrap--;
            _head = _entries[_oldest].Offset;
        }
    }

    // Finds `length` contiguous free bytes after the newest entry and returns their offset.
    private int Reserve(int length)
    {
        if (_count == 0) _head = _tail = 0;
        if (_bytes is not null)
        {
            if (_preWrap == 0)
            {
                if (_tail + length <= _bytes.Length) return Take(_tail, length);
                if (_count > 0 && length <= _head)
                {
                    _preWrap = _count;
                    return Take(0, length);
                }
            }
            else if (_tail + length <= _head)
            {
                return Take(_tail, length);
            }
        }
        GrowBytes(length);
        return Take(_tail, length);
    }

    private int Take(int offset, int length)
    {
        _tail = offset + length;
        return offset;
    }

    // Moves the entries, oldest first, to the start of a larger buffer. 2M always suffices (see the class comment):
    // unwrapped, the free run at 0 is head >= 2M - (data + length) >= M; wrapped, the free run is (where the gap starts) - data >= M.
    private void GrowBytes(int length)
    {
        int most = 2 * (_limit - EntryOverhead);
        int data = _size - _count * EntryOverhead;
        int wanted = Math.Max(Math.Max(256, 2 * (_bytes?.Length ?? 0)), (int)BitOperations.RoundUpToPowerOf2((uint)(data + length)));
        var bytes = new byte[Math.Min(most, wanted)];
        int tail = 0;
        for (int i = _count - 1; i >= 0; i--)
        {
            ref Entry entry = ref At(i);
            int entryLength = entry.NameLength + entry.ValueLength;
            _bytes.AsSpan(entry.Offset, entryLength).CopyTo(bytes.AsSpan(tail));
            entry.Offset = tail;
            tail += entryLength;
        }
        _bytes = bytes;
        _head = 0;
        _tail = tail;
        _preWrap = 0;
    }

    private void GrowEntries()
    {
        int most = Math.Max(1, _limit / EntryOverhead);
        var entries = new Entry[_entries is null ? Math.Min(16, most) : Math.Min(most, _entries.Length * 2)];
        for (int i = 0; i < _count; i++) entries[i] = _entries![(_oldest + i) % _entries.Length];
        _entries = entries;
        _oldest = 0;
    }
}
