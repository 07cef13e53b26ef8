namespace Netloop.Protocols.Http1;

/// <summary>The outcome of <see cref="RequestHeadParser.ParseHead"/>.</summary>
internal enum HeadParseStatus
{
    /// <summary>Everything offered is valid so far but the head has not ended; offer it again with more bytes after it.</summary>
    Incomplete,
    /// <summary>The head is complete and valid; the body (if any) starts at <see cref="RequestHeadParser.HeadLength"/>.</summary>
    Complete,
    /// <summary>The request is invalid; <see cref="RequestHeadParser.Rejection"/> says why. Respond and close.</summary>
    Rejected,
}
