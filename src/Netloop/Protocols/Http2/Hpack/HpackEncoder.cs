using System.Buffers;

namespace Netloop.Protocols.Http2.Hpack;

/// <summary>
/// Encodes header fields into HPACK header blocks (RFC 7541) for one peer, keeping the dynamic table that peer's
/// decoder mirrors. One instance per connection, used by one thread; fields of one block are encoded back to back.
/// Allocates nothing per field once its table and scratch buffer have grown.
/// </summary>
internal sealed class HpackEncoder
{
    private const int NoUpdate = -1;
    private const int StatusNameIndex = 8; // :status in the static table

    private readonly int _limit;
    private readonly HpackDynamicTable _table;
    private int _pendingSmallest = NoUpdate;
    private int _pendingFinal = NoUpdate;
    private byte[]? _scratch;

    /// <param name="maxTableSize">Our cap on the dynamic table, and its initial size: the size the peer's decoder
    /// starts with (4096 until its SETTINGS say otherwise, RFC 9113 §6.5.2).</param>
    public HpackEncoder(int maxTableSize = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTableSize);
        _limit = maxTableSize;
        _table = new HpackDynamicTable(maxTableSize);
    }

    /// <summary>The dynamic table's current size in RFC 7541 §4.1 units.</summary>
    public int DynamicTableSize => _table.Size;

    public int DynamicTableCount => _table.Count;

    /// <summary>
    /// The peer's SETTINGS_HEADER_TABLE_SIZE changed: the next block starts with a dynamic table size update to
    /// min(<paramref name="size"/>, our cap) (RFC 7541 §4.2, §6.3). When it changes more than once between two blocks,
    /// the smallest value is signalled first, then the final one (§4.2), so the peer evicts as we do.
    /// </summary>
    public void SetMaxTableSize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        size = Math.Min(size, _limit);
        if (_pendingFinal == NoUpdate)
        {
            if (size == _table.MaxSize) return;
            _pendingSmallest = size;
        }
        else
        {
            _pendingSmallest = Math.Min(_pendingSmallest, size);
        }
        _pendingFinal = size;
    }

    /// <summary>
    /// Writes one field: an indexed field when name and value are in the static or dynamic table (unless
    /// <paramref name="indexing"/> is NeverIndexed); else a literal of the kind <paramref name="indexing"/> picks, its
    /// name indexed when a table has it. Strings are Huffman-coded when that is shorter (<paramref name="huffman"/>
    /// null) or as forced. A pending table size update is written first. The name is written as given.
    /// </summary>
    public void Encode(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, IBufferWriter<byte> output,
                       HpackIndexing indexing = HpackIndexing.WithoutIndexing, bool? huffman = null)
    {
        WritePendingSizeUpdate(output);
        int staticIndex = HpackStaticTable.Find(name, value, out int staticNameIndex);
        if (staticIndex != 0 && indexing != HpackIndexing.NeverIndexed)
        {
            WriteIndexed(staticIndex, output);
            return;
        }
        int dynamicIndex = _table.Find(name, value, out int dynamicNameIndex);
        if (dynamicIndex >= 0 && indexing != HpackIndexing.NeverIndexed)
        {
            WriteIndexed(HpackStaticTable.Count + 1 + dynamicIndex, output);
            return;
        }
        int nameIndex = staticNameIndex != 0 ? staticNameIndex
            : dynamicNameIndex >= 0 ? HpackStaticTable.Count + 1 + dynamicNameIndex
            : 0;
        WriteLiteral(nameIndex, name, value, indexing, huffman, output);
        if (indexing == HpackIndexing.Incremental) _table.Add(name, value);
    }

    /// <summary>
    /// As the byte overload, for strings of Latin-1 characters (each char one byte; a char above U+00FF throws
    /// <see cref="ArgumentException"/>). The name is written lowercased, as HTTP/2 requires (RFC 9113 §8.2.1).
    /// </summary>
    public void Encode(string name, string value, IBufferWriter<byte> output,
                       HpackIndexing indexing = HpackIndexing.WithoutIndexing, bool? huffman = null)
    {
        int length = name.Length + value.Length;
        if (_scratch is null || _scratch.Length < length) _scratch = new byte[Math.Max(256, (int)Math.Min(Array.MaxLength, 2L * length))];
        var nameBytes = _scratch.AsSpan(0, name.Length);
        var valueBytes = _scratch.AsSpan(name.Length, value.Length);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c > 0xFF) throw new ArgumentException($"the header name {name} has a character above U+00FF", nameof(name));
            nameBytes[i] = (byte)(c is >= 'A' and <= 'Z' ? c + ('a' - 'A') : c);
        }
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c > 0xFF) throw new ArgumentException($"the value of {name} has a character above U+00FF", nameof(value));
            valueBytes[i] = (byte)c;
        }
        Encode(nameBytes, valueBytes, output, indexing, huffman);
    }

    /// <summary>
    /// Writes :status: the static entry for 200 204 206 304 400 404 500, else a literal without indexing with the name
    /// at static index 8. <paramref name="status"/> must be 100-999.
    /// </summary>
    public void EncodeStatus(int status, IBufferWriter<byte> output)
    {
        WritePendingSizeUpdate(output);
        int index = status switch
        {
            200 => 8,
            204 => 9,
            206 => 10,
            304 => 11,
            400 => 12,
            404 => 13,
            500 => 14,
            _ => 0,
        };
        if (index != 0)
        {
            WriteIndexed(index, output);
            return;
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 999);
        Span<byte> digits = [(byte)('0' + status / 100), (byte)('0' + status / 10 % 10), (byte)('0' + status % 10)];
        WriteLiteral(StatusNameIndex, default, digits, HpackIndexing.WithoutIndexing, huffman: null, output);
    }

    private void WritePendingSizeUpdate(IBufferWriter<byte> output)
    {
        if (_pendingFinal == NoUpdate) return;
        var span = output.GetSpan(2 * HpackInteger.MaxEncodedLength);
        int n = HpackInteger.Encode(_pendingSmallest, 5, 0x20, span);
        _table.SetMaxSize(_pendingSmallest);
        if (_pendingFinal != _pendingSmallest)
        {
            n += HpackInteger.Encode(_pendingFinal, 5, 0x20, span[n..]);
            _table.SetMaxSize(_pendingFinal);
        }
        output.Advance(n);
        _pendingSmallest = _pendingFinal = NoUpdate;
    }

    private static void WriteIndexed(int index, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(HpackInteger.MaxEncodedLength);
        output.Advance(HpackInteger.Encode(index, 7, 0x80, span));
    }

    // §6.2: the kind's pattern and prefix, the name's index (or 0 and the name as a string), then the value.
    private static void WriteLiteral(int nameIndex, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, HpackIndexing indexing,
                                     bool? huffman, IBufferWriter<byte> output)
    {
        (byte pattern, int prefixBits) = indexing switch
        {
            HpackIndexing.Incremental => ((byte)0x40, 6),
            HpackIndexing.NeverIndexed => ((byte)0x10, 4),
            _ => ((byte)0x00, 4),
        };
        bool nameHuffman = nameIndex == 0 && (huffman ?? HpackString.HuffmanIsShorter(name));
        bool valueHuffman = huffman ?? HpackString.HuffmanIsShorter(value);
        int length = HpackInteger.GetEncodedLength(nameIndex, prefixBits)
            + (nameIndex == 0 ? HpackString.GetEncodedLength(name, nameHuffman) : 0)
            + HpackString.GetEncodedLength(value, valueHuffman);
        var span = output.GetSpan(length);
        int n = HpackInteger.Encode(nameIndex, prefixBits, pattern, span);
        if (nameIndex == 0) n += HpackString.Encode(name, nameHuffman, span[n..]);
        n += HpackString.Encode(value, valueHuffman, span[n..]);
        output.Advance(n);
    }
}
