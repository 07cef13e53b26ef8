namespace Netloop.Protocols.Http1;

/// <summary>
/// The one table from <see cref="RequestRejection"/> to a response: the status code, its standard reason phrase for the
/// status line, and a short explanation for logs and the response body. All strings are literals, so nothing allocates.
/// </summary>
internal static class RequestRejections
{
    /// <summary>The status code to answer <paramref name="rejection"/> with.</summary>
    public static int StatusCode(RequestRejection rejection) => rejection switch
    {
        RequestRejection.RequestLineTooLong => 414,
        RequestRejection.HttpVersionNotSupported => 505,
        RequestRejection.HeadersTooLarge or RequestRejection.TooManyHeaders or RequestRejection.TrailerTooLarge => 431,
        RequestRejection.UnsupportedTransferCoding or RequestRejection.MethodTooLong => 501,
        RequestRejection.BodyTooLarge => 413,
        RequestRejection.RequestHeadersTimeout or RequestRejection.MinRequestBodyDataRate => 408,
        RequestRejection.None => throw new ArgumentOutOfRangeException(nameof(rejection), "None is not a rejection."),
        _ => 400,
    };

    /// <summary>The reason phrase of <see cref="StatusCode"/>, for the status line (<c>HTTP/1.1 400 Bad Request</c>).</summary>
    public static string StatusText(RequestRejection rejection) => StatusCode(rejection) switch
    {
        408 => "Request Timeout",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        505 => "HTTP Version Not Supported",
        _ => "Bad Request",
    };

    /// <summary>A short explanation of <paramref name="rejection"/> for logs and the response body.</summary>
    public static string Reason(RequestRejection rejection) => rejection switch
    {
        RequestRejection.None => "Not rejected.",
        RequestRejection.InvalidRequestLine => "Invalid request line.",
        RequestRejection.InvalidMethod => "Invalid method.",
        RequestRejection.InvalidRequestTarget => "Invalid request target.",
        RequestRejection.UnsafeRequestPath => "Backslash or %00 in the request path.",
        RequestRejection.MethodTooLong => "Method too long: not implemented.",
        RequestRejection.InvalidHttpVersion => "Invalid HTTP version.",
        RequestRejection.HttpVersionNotSupported => "HTTP version not supported.",
        RequestRejection.RequestLineTooLong => "Request line too long.",
        RequestRejection.BareCarriageReturn => "CR not followed by LF.",
        RequestRejection.BareLineFeed => "Line ended with LF alone; CRLF is required.",
        RequestRejection.HeadersTooLarge => "Request header section too large.",
        RequestRejection.TooManyHeaders => "Too many request header fields.",
        RequestRejection.ObsoleteLineFolding => "Field line starts with whitespace (obsolete line folding).",
        RequestRejection.WhitespaceBeforeColon => "Whitespace between field name and colon.",
        RequestRejection.EmptyHeaderName => "Empty field name.",
        RequestRejection.InvalidHeaderName => "Invalid character in field name.",
        RequestRejection.InvalidHeaderValue => "Invalid character in field value.",
        RequestRejection.InvalidHeaderLine => "Field line without a colon.",
        RequestRejection.InvalidContentLength => "Invalid Content-Length.",
        RequestRejection.MultipleContentLength => "Conflicting Content-Length values.",
        RequestRejection.ContentLengthAndTransferEncoding => "Both Content-Length and Transfer-Encoding.",
        RequestRejection.FinalTransferCodingNotChunked => "Final transfer coding is not chunked.",
        RequestRejection.DuplicateChunkedCoding => "Chunked transfer coding applied more than once.",
        RequestRejection.UnsupportedTransferCoding => "Unsupported transfer coding.",
        RequestRejection.TransferEncodingInHttp10 => "Transfer-Encoding in an HTTP/1.0 request.",
        RequestRejection.MissingHost => "Missing Host header.",
        RequestRejection.MultipleHost => "Multiple Host headers.",
        RequestRejection.InvalidHost => "Invalid Host header.",
        RequestRejection.EmptyHost => "Empty Host header.",
        RequestRejection.BodyTooLarge => "Request body too large.",
        RequestRejection.InvalidChunkedData => "Invalid chunked body.",
        RequestRejection.ChunkSizeOverflow => "Chunk size too large to count.",
        RequestRejection.ChunkExtensionTooLong => "Chunk size line too long.",
        RequestRejection.TrailerTooLarge => "Trailer section too large.",
        RequestRejection.UnexpectedEndOfBody => "Connection ended before the request body did.",
        RequestRejection.RequestHeadersTimeout => "Request headers not received in time.",
        RequestRejection.MinRequestBodyDataRate => "Request body arrived too slowly.",
        _ => "Bad request.",
    };
}
