namespace Netloop.Protocols.Http2.Hpack;

/// <summary>
/// The HPACK string literal, RFC 7541 §5.2: an H bit and a 7-bit-prefix length, then the bytes, raw or Huffman-coded.
/// </summary>
internal static class HpackString
{
    /// <summary>
    /// Reads the string literal at <paramref name="position"/> and moves past it. A raw string is returned as a slice
    /// of <paramref name="block"/>; a Huffman-coded one is decoded into <paramref name="scratch"/> (grown as needed, to
    /// at most <paramref name="limit"/> bytes). <paramref name="length"/> is the decoded length; when it exceeds
    /// <paramref name="limit"/> the string was only checked, and the returned span is empty (the caller can neither
    /// pass it on nor store it). Throws <see cref="HpackDecodingException"/> when the length runs past the block or the
    /// Huffman code is invalid. Nothing is allocated from a claimed length: it is checked against the block first.
    /// </summary>
    public static ReadOnlySpan<byte> Decode(ReadOnlySpan<byte> block, scoped ref int position, ref byte[]? scratch, int limit, out int length)
    {
        int start = position;
        int encodedLength = HpackInteger.Decode(block, ref position, 7);
        if (encodedLength > block.Length - position) throw new HpackDecodingException("a string literal runs past the end of the header block");
        var encoded = block.Slice(position, encodedLength);
        position += encodedLength;
        if ((block[start] & 0x80) == 0)
        {
            length = encodedLength;
            return encoded;
        }

        // The shortest code is 5 bits, so n bytes decode to at most 8n/5 symbols.
        int room = (int)Math.Min((long)encodedLength * 8 / 5, limit);
        if (scratch is null || scratch.Length < room) scratch = new byte[Math.Max(room, Math.Min(limit, Math.Max(64, 2 * (scratch?.Length ?? 0))))];
        length = HuffmanDecoder.Decode(encoded, scratch);
        return length <= limit ? scratch.AsSpan(0, length) : default;
    }

    /// <summary>The bytes <see cref="Encode"/> writes for <paramref name="value"/>.</summary>
    public static int GetEncodedLength(ReadOnlySpan<byte> value, bool huffman)
    {
        int length = huffman ? HuffmanEncoder.GetEncodedLength(value) : value.Length;
        return HpackInteger.GetEncodedLength(length, 7) + length;
    }

    /// <summary>Whether Huffman coding makes <paramref name="value"/> shorter (§5.2 lets the encoder choose).</summary>
    public static bool HuffmanIsShorter(ReadOnlySpan<byte> value) => HuffmanEncoder.GetEncodedLength(value) < value.Length;

    public static int Encode(ReadOnlySpan<byte> value, bool huffman, Span<byte> destination)
    {
        if (!huffman)
        {
            int n = HpackInteger.Encode(value.Length, 7, 0x00, destination);
            value.CopyTo(destination[n..]);
            return n + value.Length;
        }
        int length = HuffmanEncoder.GetEncodedLength(value);
        int prefix = HpackInteger.Encode(length, 7, 0x80, destination);
        return prefix + HuffmanEncoder.Encode(value, destination[prefix..]);
    }
}
