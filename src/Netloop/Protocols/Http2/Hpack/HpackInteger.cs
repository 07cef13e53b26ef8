namespace Netloop.Protocols.Http2.Hpack;

/// <summary>
/// The HPACK integer representation, RFC 7541 §5.1: an N-bit prefix in the first byte (its high bits carry the
/// representation's flags), then 7 bits per continuation byte, least significant group first.
/// </summary>
internal static class HpackInteger
{
    /// <summary>Bytes an int can take: the prefix byte and five continuation bytes (5 x 7 = 35 bits >= 31).</summary>
    public const int MaxEncodedLength = 6;

    private const int MaxContinuationBytes = 5;

    /// <summary>
    /// Writes <paramref name="value"/> (>= 0) with a <paramref name="prefixBits"/>-bit prefix (1-8), the first byte's
    /// high bits set from <paramref name="flags"/>; returns the bytes written (<paramref name="destination"/> must hold
    /// <see cref="GetEncodedLength"/> of them).
    /// </summary>
    public static int Encode(int value, int prefixBits, byte flags, Span<byte> destination)
    {
        int max = (1 << prefixBits) - 1;
        if (value < max)
        {
            destination[0] = (byte)(flags | value);
            return 1;
        }
        destination[0] = (byte)(flags | max);
        uint rest = (uint)(value - max);
        int n = 1;
        while (rest >= 0x80)
        {
            destination[n++] = (byte)(rest | 0x80);
            rest >>= 7;
        }
        destination[n++] = (byte)rest;
        return n;
    }

    public static int GetEncodedLength(int value, int prefixBits)
    {
        int max = (1 << prefixBits) - 1;
        if (value < max) return 1;
        uint rest = (uint)(value - max);
        int n = 2;
        while (rest >= 0x80)
        {
            rest >>= 7;
            n++;
        }
        return n;
    }

    /// <summary>
    /// Reads the integer starting at <paramref name="position"/> (the prefix byte's flag bits are ignored) and moves
    /// <paramref name="position"/> past it. Throws <see cref="HpackDecodingException"/> when the block ends inside the
    /// integer, when the value exceeds int.MaxValue, or when the encoding is longer than any encoder writes (more than
    /// five continuation bytes, or a zero last byte after another continuation byte: §5.1 lets a decoder treat values
    /// beyond its limits as errors, and padding with zero groups only serves to hide a huge length).
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> source, ref int position, int prefixBits)
    {
        int pos = position;
        if ((uint)pos >= (uint)source.Length) throw new HpackDecodingException("the header block ends inside an integer");
        int max = (1 << prefixBits) - 1;
        int value = source[pos++] & max;
        if (value < max)
        {
            position = pos;
            return value;
        }
        long total = max;
        for (int i = 0; i < MaxContinuationBytes; i++)
        {
            if (pos >= source.Length) throw new HpackDecodingException("the header block ends inside an integer");
            byte b = source[pos++];
            total += (long)(b & 0x7F) << (7 * i);
            if (total > int.MaxValue) throw new HpackDecodingException("an integer exceeds 2^31-1");
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0) throw new HpackDecodingException("an integer has an over-long encoding");
                position = pos;
                return (int)total;
            }
        }
        throw new HpackDecodingException("an integer has an over-long encoding");
    }
}
