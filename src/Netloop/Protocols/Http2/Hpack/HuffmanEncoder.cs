namespace Netloop.Protocols.Http2.Hpack;

/// <summary>Huffman-encodes string literals with the RFC 7541 Appendix B code (§5.2).</summary>
internal static class HuffmanEncoder
{
    /// <summary>The bytes <see cref="Encode"/> writes for <paramref name="source"/>, padding included.</summary>
    public static int GetEncodedLength(ReadOnlySpan<byte> source)
    {
        var lengths = HuffmanCode.Lengths;
        long bits = 0;
        foreach (byte b in source) bits += lengths[b];
        return (int)((bits + 7) >> 3);
    }

    /// <summary>
    /// Writes the code of each byte, most significant bit first, and pads the last byte with the high bits of EOS
    /// (all ones, §5.2); returns the bytes written.
    /// </summary>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var codes = HuffmanCode.Codes;
        var lengths = HuffmanCode.Lengths;
        ulong bits = 0; // only the low `pending` bits are meaningful; older bits fall off the top
        int pending = 0;
        int n = 0;
        foreach (byte b in source)
        {
            int length = lengths[b];
            bits = (bits << length) | codes[b];
            pending += length;
            while (pending >= 8)
            {
                pending -= 8;
                destination[n++] = (byte)(bits >> pending);
            }
        }
        if (pending > 0) destination[n++] = (byte)((bits << (8 - pending)) | (0xFFu >> pending));
        return n;
    }
}
