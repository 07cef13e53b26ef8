using System.Buffers;

namespace Netloop.Http;

/// <summary>
/// The byte classes of RFC 9110 §5.6.2 and RFC 3986 as vectorised sets: the one definition of a token character and of a
/// hex digit for every parser and validator in Netloop (HTTP/1 request parser, chunked decoder, routing, response
/// headers, the load generator's response parser). Lives in Http/, not in a protocol folder, because these are HTTP
/// semantics every protocol version shares (RFC 9113 §8.2.1 validates field names and values by the same rules).
/// </summary>
internal static class HttpCharacters
{
    private const string Alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
    //                          / DIGIT / ALPHA
    private const string TokenCharacters = Alphanumeric + "!#$%&'*+-.^_`|~";

    /// <summary>tchar: the bytes of a token (methods, field names, coding names, chunk extension names).</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create(Ascii(TokenCharacters));

    /// <summary><see cref="Token"/> as UTF-16 characters, for names given as strings (header names, route methods).</summary>
    public static readonly SearchValues<char> TokenChars = SearchValues.Create(TokenCharacters);

    /// <summary>
    /// Bytes allowed in a request-target: every visible ASCII byte except '#'. RFC 3986 would also refuse
    /// <c>" &lt; &gt; \ ^ ` { | }</c>, but browsers send several of them unencoded (the WHATWG URL query and path
    /// percent-encode sets leave them), so refusing them would break real clients while stopping no attack; the bytes
    /// that can desynchronise a parser (CTLs, SP, DEL, non-ASCII) and the fragment delimiter are refused.
    /// </summary>
    public static readonly SearchValues<byte> Target = SearchValues.Create(TargetBytes());

    /// <summary>
    /// Bytes that end a run of field-value bytes: CR, LF and every other control character except HTAB, and DEL.
    /// What remains is RFC 9110 §5.5 field-vchar / SP / HTAB, obs-text (0x80-0xFF) included.
    /// </summary>
    public static readonly SearchValues<byte> FieldValueStop = SearchValues.Create(FieldValueStopBytes());

    /// <summary>reg-name bytes (RFC 3986 §3.2.2): unreserved, sub-delims and '%' of pct-encoded.</summary>
    public static readonly SearchValues<byte> RegName = SearchValues.Create(Ascii(Alphanumeric + "-._~!$&'()*+,;=%"));

    /// <summary>Bytes inside an IP-literal's brackets: IPv6 (hex, ':', '.') and IPvFuture (unreserved, sub-delims, ':').</summary>
    public static readonly SearchValues<byte> IpLiteral = SearchValues.Create(Ascii(Alphanumeric + "-._~!$&'()*+,;=:"));

    /// <summary>scheme bytes after the first letter (RFC 3986 §3.1).</summary>
    public static readonly SearchValues<byte> Scheme = SearchValues.Create(Ascii(Alphanumeric + "+-."));

    public static bool IsToken(byte b) => Token.Contains(b);

    /// <summary>token = 1*tchar: true when <paramref name="text"/> is non-empty and every byte is a tchar.</summary>
    public static bool IsToken(ReadOnlySpan<byte> text) => !text.IsEmpty && text.IndexOfAnyExcept(Token) < 0;

    /// <summary>token = 1*tchar for a name given as a string; any character outside ASCII makes it no token.</summary>
    public static bool IsToken(ReadOnlySpan<char> text) => !text.IsEmpty && text.IndexOfAnyExcept(TokenChars) < 0;

    /// <summary>
    /// A field value a handler may send, given as a string: no CR, LF or NUL (RFC 9110 §5.5: response splitting) and
    /// every character Latin-1 (one byte on the wire).
    /// </summary>
    public static bool IsSendableFieldValue(string value)
    {
        foreach (char c in value)
        {
            if (c is '\r' or '\n' or '\0' || c > 0xFF) return false;
        }
        return true;
    }

    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    public static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t';

    /// <summary>
    /// The value (0-15) of a HEXDIG (RFC 5234 B.1, case-insensitive as ABNF strings are), or -1 for any other byte: the
    /// one hex decoder behind chunk sizes (RFC 9112 §7.1) and pct-encoded octets (RFC 3986 §2.1).
    /// </summary>
    public static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>field-vchar / SP / HTAB (obs-text included): a byte allowed inside a field value.</summary>
    public static bool IsFieldValueByte(byte b) => !FieldValueStop.Contains(b);

    /// <summary>Strips leading and trailing SP and HTAB (OWS).</summary>
    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> value) => value.Trim(" \t"u8);

    /// <summary>
    /// <c>uri-host [ ":" port ]</c> (RFC 9110 §7.2, RFC 3986 §3.2.2), the Host field value and the authority of an
    /// absolute-form or authority-form target. reg-name may be empty there, but not where <paramref name="requireHost"/>.
    /// Userinfo ('@') is refused: RFC 9110 §4.2.4 deprecates it and treating it as an error is the recommended handling.
    /// </summary>
    public static bool IsValidAuthority(ReadOnlySpan<byte> authority, bool requireHost, bool requirePort)
    {
        int hostEnd;
        if (!authority.IsEmpty && authority[0] == '[')
        {
            int close = authority.IndexOf((byte)']');
            if (close < 2 || authority[1..close].IndexOfAnyExcept(IpLiteral) >= 0) return false;
            hostEnd = close + 1;
        }
        else
        {
            hostEnd = authority.IndexOf((byte)':');
            if (hostEnd < 0) hostEnd = authority.Length;
            if (!IsRegName(authority[..hostEnd])) return false;
            if (requireHost && hostEnd == 0) return false;
        }
        if (hostEnd == authority.Length) return !requirePort;
        if (authority[hostEnd] != ':') return false;
        var port = authority[(hostEnd + 1)..];
        if (port.IsEmpty) return !requirePort; // port = *DIGIT
        return port.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }

    private static bool IsRegName(ReadOnlySpan<byte> host)
    {
        if (host.IndexOfAnyExcept(RegName) >= 0) return false;
        for (int i = host.IndexOf((byte)'%'); i >= 0; i = NextPercent(host, i + 3))
        {
            if (i + 2 >= host.Length || HexValue(host[i + 1]) < 0 || HexValue(host[i + 2]) < 0) return false;
        }
        return true;
    }

    private static int NextPercent(ReadOnlySpan<byte> host, int from)
    {
        int i = host[from..].IndexOf((byte)'%');
        return i < 0 ? -1 : from + i;
    }

    private static byte[] Ascii(string chars) => System.Text.Encoding.ASCII.GetBytes(chars);

    private static byte[] TargetBytes()
    {
        var bytes = new List<byte>();
        for (int b = 0x21; b <= 0x7E; b++)
        {
            if (b != '#') bytes.Add((byte)b);
        }
        return bytes.ToArray();
    }

    private static byte[] FieldValueStopBytes()
    {
        var bytes = new List<byte>();
        for (int b = 0; b < 0x20; b++)
        {
            if (b != '\t') bytes.Add((byte)b);
        }
        bytes.Add(0x7F);
        return bytes.ToArray();
    }
}
