namespace Netloop.Protocols.Http1;

/// <summary>The outcome of <see cref="Http2Preface.Match"/>.</summary>
internal enum PrefaceMatch
{
    /// <summary>The bytes so far are a prefix of the preface (or there are none): wait for more.</summary>
    NeedMore,
    /// <summary>The data starts with the whole HTTP/2 connection preface.</summary>
    IsHttp2,
    /// <summary>The data differs from the preface: speak HTTP/1.1.</summary>
    NotHttp2,
}
