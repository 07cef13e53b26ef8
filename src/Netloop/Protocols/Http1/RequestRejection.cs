namespace Netloop.Protocols.Http1;

/// <summary>
/// Why a request was refused. <see cref="RequestRejections"/> maps each value to its status code and a short reason;
/// every rejection ends the connection after the error response, because the framing of whatever follows can no
/// longer be trusted.
/// </summary>
internal enum RequestRejection
{
    /// <summary>Not rejected.</summary>
    None,

    // Request line (RFC 9112 §3).

    /// <summary>400: the request line is not <c>method SP request-target SP HTTP-version CRLF</c>.</summary>
    InvalidRequestLine,
    /// <summary>400: the method has a byte that is not a tchar.</summary>
    InvalidMethod,
    /// <summary>400: the request-target has a forbidden byte or is not in a form allowed for the method.</summary>
    InvalidRequestTarget,
    /// <summary>
    /// 400: the request-target before its query holds a backslash or <c>%00</c>. Neither is needed by a URI path (a
    /// browser turns a backslash into '/'), and both are read differently by routers, file systems and the URI rules
    /// (an encoded NUL ends a C string; a backslash separates Windows paths), so they are refused before routing.
    /// </summary>
    UnsafeRequestPath,
    /// <summary>
    /// 501: a method longer than <see cref="RequestHeadParser.MaxMethodLength"/> bytes, longer than any registered
    /// method, so one no server implements (RFC 9110 §9.1: an unrecognised method SHOULD get 501).
    /// </summary>
    MethodTooLong,
    /// <summary>400: the HTTP-version is not <c>HTTP/DIGIT.DIGIT</c>.</summary>
    InvalidHttpVersion,
    /// <summary>505: a well-formed HTTP-version other than HTTP/1.0 and HTTP/1.1.</summary>
    HttpVersionNotSupported,
    /// <summary>414: the request line is longer than <see cref="HttpLimits.MaxRequestLineSize"/>.</summary>
    RequestLineTooLong,

    // Line endings (RFC 9112 §2.2).

    /// <summary>400: a CR not followed by LF in the head.</summary>
    BareCarriageReturn,
    /// <summary>400: a line of the head ends with LF alone (Netloop's policy: see <see cref="RequestHeadParser"/>).</summary>
    BareLineFeed,

    // Field lines (RFC 9112 §5, RFC 9110 §5).

    /// <summary>431: the header section is larger than <see cref="HttpLimits.MaxRequestHeadersTotalSize"/>.</summary>
    HeadersTooLarge,
    /// <summary>431: more field lines than <see cref="HttpLimits.MaxRequestHeaderCount"/>.</summary>
    TooManyHeaders,
    /// <summary>400: a field line starts with whitespace (obs-fold, or whitespace before the first field).</summary>
    ObsoleteLineFolding,
    /// <summary>400: whitespace between a field name and its colon (RFC 9112 §5.1 requires 400).</summary>
    WhitespaceBeforeColon,
    /// <summary>400: a field line starts with its colon.</summary>
    EmptyHeaderName,
    /// <summary>400: a field name has a byte that is not a tchar.</summary>
    InvalidHeaderName,
    /// <summary>400: a field value has a control character other than HTAB, or DEL.</summary>
    InvalidHeaderValue,
    /// <summary>400: a field line has no colon.</summary>
    InvalidHeaderLine,

    // Framing and the fields the server itself acts on.

    /// <summary>400: Content-Length is not a decimal number (or overflows a 64-bit count).</summary>
    InvalidContentLength,
    /// <summary>400: Content-Length values that differ.</summary>
    MultipleContentLength,
    /// <summary>400: both Content-Length and Transfer-Encoding.</summary>
    ContentLengthAndTransferEncoding,
    /// <summary>400: Transfer-Encoding whose final coding is not chunked (RFC 9112 §6.3 requires 400).</summary>
    FinalTransferCodingNotChunked,
    /// <summary>400: chunked listed more than once in Transfer-Encoding (RFC 9112 §6.1).</summary>
    DuplicateChunkedCoding,
    /// <summary>501: a transfer coding other than chunked (RFC 9112 §6.1: SHOULD respond 501).</summary>
    UnsupportedTransferCoding,
    /// <summary>400: Transfer-Encoding in an HTTP/1.0 request, whose framing RFC 9112 §6.1 calls faulty.</summary>
    TransferEncodingInHttp10,
    /// <summary>400: an HTTP/1.1 request without Host (RFC 9112 §3.2).</summary>
    MissingHost,
    /// <summary>400: more than one Host field line (RFC 9112 §3.2).</summary>
    MultipleHost,
    /// <summary>400: a Host value that is not <c>uri-host [ ":" port ]</c> (RFC 9112 §3.2).</summary>
    InvalidHost,
    /// <summary>
    /// 400: an empty Host value (or a port alone) where Host gives the target URI its authority, origin-form and
    /// asterisk-form: an http URI with an empty host is invalid and must be rejected (RFC 9110 §4.2.1, RFC 9112 §3.3).
    /// </summary>
    EmptyHost,

    // Body (used by the connection and by ChunkedDecoder).

    /// <summary>413: the body is larger than <see cref="HttpLimits.MaxRequestBodySize"/>.</summary>
    BodyTooLarge,
    /// <summary>400: the chunked body is malformed.</summary>
    InvalidChunkedData,
    /// <summary>400: a chunk size that does not fit in a 63-bit count: malformed framing, not a large body.</summary>
    ChunkSizeOverflow,
    /// <summary>400: a chunk-size line longer than <see cref="HttpLimits.MaxChunkExtensionLength"/>.</summary>
    ChunkExtensionTooLong,
    /// <summary>431: a trailer section larger than <see cref="HttpLimits.MaxTrailerSize"/>.</summary>
    TrailerTooLarge,
    /// <summary>400: the connection ended before the body did.</summary>
    UnexpectedEndOfBody,

    // Timers (enforced by the connection).

    /// <summary>408: the head did not arrive within <see cref="HttpLimits.RequestHeadersTimeout"/>.</summary>
    RequestHeadersTimeout,
    /// <summary>408: the body arrived slower than <see cref="HttpLimits.MinRequestBodyDataRate"/>.</summary>
    MinRequestBodyDataRate,
}
