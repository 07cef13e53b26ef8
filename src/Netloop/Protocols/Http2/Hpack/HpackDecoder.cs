namespace Netloop.Protocols.Http2.Hpack;

/// <summary>
/// Decodes HPACK header blocks (RFC 7541) from one peer, keeping that peer's dynamic table. One instance per
/// connection, used by one thread.
/// <para>
/// Hostile input is expected: any malformed block throws <see cref="HpackDecodingException"/> and nothing else; memory
/// is bounded by the settings we advertised (the table by <c>maxTableSize</c>; scratch buffers by the larger of the two
/// caps, whatever lengths the block claims); a header list past <c>maxHeaderListSize</c> is decoded to the end but not
/// passed on. Nothing is allocated before the first block, and nothing per block once the buffers have grown.
/// </para>
/// </summary>
internal sealed class HpackDecoder
{
    private readonly int _maxTableSize;
    private readonly int _maxHeaderListSize;
    private readonly int _stringLimit;
    private readonly HpackDynamicTable _table;
    private byte[]? _nameScratch;
    private byte[]? _valueScratch;

    /// <param name="maxTableSize">The SETTINGS_HEADER_TABLE_SIZE we advertised: the table's initial maximum and the
    /// upper bound of the peer's size updates (RFC 7541 §4.2, §6.3).</param>
    /// <param name="maxHeaderListSize">The decoded size cap: the sum of name + value + 32 over the fields
    /// (RFC 7541 §4.1, RFC 9113 §6.5.2).</param>
    public HpackDecoder(int maxTableSize, int maxHeaderListSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTableSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxHeaderListSize);
        _maxTableSize = maxTableSize;
        _maxHeaderListSize = maxHeaderListSize;
        // A longer string can neither be passed on (it alone passes the list cap) nor stored (it alone passes the table).
        _stringLimit = Math.Max(maxTableSize, maxHeaderListSize);
        _table = new HpackDynamicTable(maxTableSize);
    }

    /// <summary>The dynamic table's current size in RFC 7541 §4.1 units.</summary>
    public int DynamicTableSize => _table.Size;

    public int DynamicTableCount => _table.Count;

    /// <summary>
    /// Decodes one complete header block (HEADERS + CONTINUATION fragments concatenated), calling
    /// <paramref name="sink"/> once per field in order. When the decoded list passes the header list size cap, decoding
    /// goes on to the end (so the dynamic table stays in step with the peer's encoder) without calling the sink, and
    /// the result is <see cref="HpackDecodeResult.HeaderListTooLarge"/>.
    /// </summary>
    public HpackDecodeResult Decode(ReadOnlySpan<byte> block, IHpackHeaderSink sink)
    {
        int position = 0;
        bool fieldSeen = false;
        long listSize = 0;
        bool tooLarge = false;
        while (position < block.Length)
        {
            byte first = block[position];
            ReadOnlySpan<byte> name, value;
            int nameLength, valueLength;
            if ((first & 0x80) != 0)
            {
                // §6.1 Indexed Header Field.
                int index = HpackInteger.Decode(block, ref position, 7);
                name = IndexedName(index);
                value = IndexedValue(index);
                nameLength = name.Length;
                valueLength = value.Length;
            }
            else if ((first & 0xE0) == 0x20)
            {
                // §6.3 Dynamic Table Size Update: §4.2 puts it at the beginning of a block, bounded by our setting.
                if (fieldSeen) throw new HpackDecodingException("a dynamic table size update follows a header field");
                int size = HpackInteger.Decode(block, ref position, 5);
                if (size > _maxTableSize) throw new HpackDecodingException($"a dynamic table size update to {size} exceeds the advertised {_maxTableSize}");
                _table.SetMaxSize(size);
                continue;
            }
            else
            {
                // §6.2.1 with incremental indexing (01), §6.2.2 without indexing (0000), §6.2.3 never indexed (0001).
                bool indexing = (first & 0x40) != 0;
                int nameIndex = HpackInteger.Decode(block, ref position, indexing ? 6 : 4);
                if (nameIndex == 0)
                {
                    name = HpackString.Decode(block, ref position, ref _nameScratch, _stringLimit, out nameLength);
                }
                else
                {
                    name = IndexedName(nameIndex);
                    nameLength = name.Length;
                    if (indexing && nameIndex > HpackStaticTable.Count)
                    {
                        // Adding the field may evict the very entry the name points into.
                        if (_nameScratch is null || _nameScratch.Length < nameLength) _nameScratch = new byte[Math.Max(64, nameLength)];
                        name.CopyTo(_nameScratch);
                        name = _nameScratch.AsSpan(0, nameLength);
                    }
                }
                value = HpackString.Decode(block, ref position, ref _valueScratch, _stringLimit, out valueLength);
                if (indexing)
                {
                    if (name.Length == nameLength && value.Length == valueLength) _table.Add(name, value);
                    else _table.Clear(); // a string past the limit makes an entry larger than the table (§4.4)
                }
            }
            fieldSeen = true;
            listSize += (long)nameLength + valueLength + HpackDynamicTable.EntryOverhead;
            if (listSize > _maxHeaderListSize) tooLarge = true;
            if (!tooLarge) sink.OnHeader(name, value);
        }
        return tooLarge ? HpackDecodeResult.HeaderListTooLarge : HpackDecodeResult.Ok;
    }

    private ReadOnlySpan<byte> IndexedName(int index)
    {
        if (index <= HpackStaticTable.Count) return HpackStaticTable.Name(CheckIndex(index));
        return _table.Name(CheckIndex(index) - HpackStaticTable.Count - 1);
    }

    private ReadOnlySpan<byte> IndexedValue(int index)
    {
        if (index <= HpackStaticTable.Count) return HpackStaticTable.Value(index);
        return _table.Value(index - HpackStaticTable.Count - 1);
    }

    // §2.3.3: index 0 and indexes past both tables are decoding errors.
    private int CheckIndex(int index)
    {
        if (index == 0) throw new HpackDecodingException("a header field refers to index 0");
        if (index > HpackStaticTable.Count + _table.Count)
            throw new HpackDecodingException($"a header field refers to index {index}, past the {HpackStaticTable.Count + _table.Count} table entries");
        return index;
    }
}
