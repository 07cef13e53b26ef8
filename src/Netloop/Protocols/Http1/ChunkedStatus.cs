namespace Netloop.Protocols.Http1;

/// <summary>The outcome of <see cref="ChunkedDecoder.Decode"/>.</summary>
internal enum ChunkedStatus
{
    /// <summary>All input was consumed (framing only, no body bytes); call again when more arrives.</summary>
    NeedMoreData,
    /// <summary>Body bytes are at the returned range; consume through them and call again with the rest.</summary>
    Data,
    /// <summary>The last chunk and the trailer section are consumed; bytes after them belong to the next request.</summary>
    Done,
    /// <summary>The body is invalid; <see cref="ChunkedDecoder.Rejection"/> says why. Respond and close.</summary>
    Rejected,
}
