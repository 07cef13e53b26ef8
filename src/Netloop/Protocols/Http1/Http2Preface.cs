namespace Netloop.Protocols.Http1;

/// <summary>
/// Recognises the HTTP/2 client connection preface (RFC 9113 §3.4) at the start of a connection, so one port can serve
/// HTTP/1.1 and prior-knowledge HTTP/2 (h2c).
/// </summary>
internal static class Http2Preface
{
    /// <summary>Length of the preface, 24 bytes.</summary>
    public const int Length = 24;

    /// <summary>The preface: <c>PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n</c>.</summary>
    public static ReadOnlySpan<byte> Bytes => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>
    /// Compares the start of <paramref name="data"/> with the preface. A short prefix that matches is
    /// <see cref="PrefaceMatch.NeedMore"/>, so split arrivals are judged only once they can be.
    /// </summary>
    public static PrefaceMatch Match(ReadOnlySpan<byte> data)
    {
        var preface = Bytes;
        int n = Math.Min(data.Length, preface.Length);
        if (!data[..n].SequenceEqual(preface[..n])) return PrefaceMatch.NotHttp2;
        return n == preface.Length ? PrefaceMatch.IsHttp2 : PrefaceMatch.NeedMore;
    }
}
