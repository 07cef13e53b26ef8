using System.Text;

namespace Netloop.Http.Routing;

/// <summary>
/// Percent-decoding of path bytes (RFC 3986 §2.1). Only <c>%XX</c> escapes are decoded: <c>+</c> stays a plus sign,
/// because form encoding does not apply to paths. Decoding never grows the input, so a destination as long as the
/// source always suffices.
/// </summary>
internal static class PercentEncoding
{
    /// <summary>Decodes strictly: a <c>%</c> not followed by two hex digits fails the whole input.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        for (int i = 0; i < source.Length; i++)
        {
            byte b = source[i];
            if (b == (byte)'%')
            {
                if (i + 2 >= source.Length) return false;
                int hi = HttpCharacters.HexValue(source[i + 1]);
                int lo = HttpCharacters.HexValue(source[i + 2]);
                if ((hi | lo) < 0) return false;
                b = (byte)((hi << 4) | lo);
                i += 2;
            }
            destination[written++] = b;
        }
        return true;
    }

    /// <summary>Decodes leniently: a malformed escape is kept as the literal characters it was (as browsers do).</summary>
    public static int DecodeLenient(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int written = 0;
        for (int i = 0; i < source.Length; i++)
        {
            byte b = source[i];
            if (b == (byte)'%' && i + 2 < source.Length)
            {
                int hi = HttpCharacters.HexValue(source[i + 1]);
                int lo = HttpCharacters.HexValue(source[i + 2]);
                if ((hi | lo) >= 0)
                {
                    b = (byte)((hi << 4) | lo);
                    i += 2;
                }
            }
            destination[written++] = b;
        }
        return written;
    }

    /// <summary>Lenient decode to a string; bytes that are not valid UTF-8 become U+FFFD.</summary>
    public static string DecodeToString(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOf((byte)'%') < 0) return Encoding.UTF8.GetString(raw);
        Span<byte> buffer = raw.Length <= 256 ? stackalloc byte[raw.Length] : new byte[raw.Length];
        int length = DecodeLenient(raw, buffer);
        return Encoding.UTF8.GetString(buffer[..length]);
    }
}
