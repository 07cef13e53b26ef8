using System.Text;
using Netloop.Http;

namespace Netloop.Load.Http;

/// <summary>What <see cref="HttpResponseParser.Parse"/> found.</summary>
internal enum ResponseParseStatus
{
    /// <summary>The response is not complete yet: call again with the unconsumed bytes followed by more.</summary>
    NeedMore,
    /// <summary>One whole response ended; the bytes after it (consumed not included) belong to the next one.</summary>
    Complete,
    /// <summary>The bytes are not an HTTP/1.x response (<see cref="HttpResponseParser.Defect"/> says why); the connection is unusable.</summary>
    Malformed,
}

/// <summary>Why a response was rejected as malformed.</summary>
internal enum ResponseDefect
{
    /// <summary>Nothing wrong.</summary>
    None,
    /// <summary>The status line is not <c>HTTP/1.x NNN reason</c>.</summary>
    StatusLine,
    /// <summary>A line ends with a bare LF or has a CR inside it.</summary>
    LineEnding,
    /// <summary>A line longer than <see cref="HttpResponseParser.MaxLineLength"/> bytes.</summary>
    LineTooLong,
    /// <summary>A header line without a colon, with an empty or non-token name, or folded (obs-fold).</summary>
    HeaderField,
    /// <summary>More than <see cref="HttpResponseParser.MaxHeaderLines"/> header or trailer lines.</summary>
    TooManyHeaders,
    /// <summary>A Content-Length that is not a decimal number, or two that differ.</summary>
    ContentLength,
    /// <summary>A chunk-size line that is not hex digits (with optional extensions), or a chunk not followed by CRLF.</summary>
    ChunkFraming,
    /// <summary>A status the client cannot follow (101 Switching Protocols).</summary>
    UnsupportedStatus,
    /// <summary>The connection ended inside a response.</summary>
    Truncated,
}

/// <summary>
/// The client half of HTTP/1.1 framing (RFC 9112): status line, header fields, then a body delimited by Content-Length,
/// chunked transfer coding, or the end of the connection. Resumable at any byte: a line not yet complete is left
/// unconsumed (the transport offers it again with what follows), and body bytes are consumed as they come. One instance
/// per connection, reset per response; it allocates nothing.
/// </summary>
/// <remarks>
/// Line-based rather than byte-at-a-time: a whole line is found with a vectorized search, which is both simpler and
/// faster than a per-byte state machine for the 100-200 byte responses a load test sees. Only the framing fields are
/// interpreted; everything else is checked for shape (token name, colon, no stray CR) and skipped.
/// </remarks>
internal sealed class HttpResponseParser
{
    /// <summary>The longest status, header, chunk-size or trailer line accepted (nginx and Kestrel use 8-32 KiB).</summary>
    public const int MaxLineLength = 32 * 1024;

    /// <summary>The most header (or trailer) lines one response may have.</summary>
    public const int MaxHeaderLines = 256;

    private const int MaxContentLengthDigits = 18; // below long.MaxValue
    private const int MaxChunkSizeDigits = 15;

    private State _state;
    private long _remaining;
    private long _contentLength;
    private int _headerLines;
    private bool _chunked;
    private bool _otherCoding;
    private bool _keepAlive;
    private bool _headRequest;

    private enum State
    {
        StatusLine,
        Headers,
        FixedBody,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        BodyUntilClose,
    }

    /// <summary>The status code of the response being parsed (after the status line) or just completed.</summary>
    public int StatusCode { get; private set; }

    /// <summary>The response's minor version: 1 for HTTP/1.1, 0 for HTTP/1.0.</summary>
    public int MinorVersion { get; private set; }

    /// <summary>The server will close the connection after this response (<c>Connection: close</c>, HTTP/1.0 without keep-alive, or a body that ends at close).</summary>
    public bool ConnectionClose { get; private set; }

    /// <summary>Body bytes seen so far (chunk framing excluded).</summary>
    public long BodyBytes { get; private set; }

    /// <summary>Why the last <see cref="ResponseParseStatus.Malformed"/> was returned.</summary>
    public ResponseDefect Defect { get; private set; }

    /// <summary>True once any byte of the current response has been consumed.</summary>
    public bool InProgress { get; private set; }

    /// <summary>Starts a new response; <paramref name="headRequest"/> says it answers a HEAD, which has no body whatever its headers say.</summary>
    public void Reset(bool headRequest = false)
    {
        _state = State.StatusLine;
        _remaining = 0;
        _contentLength = -1;
        _headerLines = 0;
        _chunked = false;
        _otherCoding = false;
        _keepAlive = false;
        _headRequest = headRequest;
        StatusCode = 0;
        MinorVersion = 1;
        ConnectionClose = false;
        BodyBytes = 0;
        Defect = ResponseDefect.None;
        InProgress = false;
    }

    /// <summary>
    /// Parses from <paramref name="data"/> until one response completes, more bytes are needed, or the bytes are
    /// malformed. <paramref name="consumed"/> counts the bytes used, in every case.
    /// </summary>
    public ResponseParseStatus Parse(ReadOnlySpan<byte> data, out int consumed)
    {
        consumed = 0;
        while (true)
        {
            var rest = data[consumed..];
            switch (_state)
            {
                case State.FixedBody:
                case State.ChunkData:
                {
                    int take = (int)Math.Min(_remaining, rest.Length);
                    consumed += take;
                    _remaining -= take;
                    BodyBytes += take;
                    if (take > 0) InProgress = true;
                    if (_remaining > 0) return ResponseParseStatus.NeedMore;
                    if (_state == State.FixedBody) return ResponseParseStatus.Complete;
                    _state = State.ChunkDataEnd;
                    continue;
                }
                case State.BodyUntilClose:
                    consumed += rest.Length;
                    BodyBytes += rest.Length;
                    if (rest.Length > 0) InProgress = true;
                    return ResponseParseStatus.NeedMore;
            }

            int lf = rest.IndexOf((byte)'\n');
            if (lf < 0)
            {
                if (rest.Length > MaxLineLength) return Fail(ResponseDefect.LineTooLong);
                if (rest.Length > 0) InProgress = true;
                return ResponseParseStatus.NeedMore;
            }
            if (lf > MaxLineLength) return Fail(ResponseDefect.LineTooLong);
            if (lf == 0 || rest[lf - 1] != '\r') return Fail(ResponseDefect.LineEnding);
            var line = rest[..(lf - 1)];
            if (line.Contains((byte)'\r')) return Fail(ResponseDefect.LineEnding);
            consumed += lf + 1;
            InProgress = true;

            var status = _state switch
            {
                State.StatusLine => OnStatusLine(line),
                State.Headers => OnHeaderLine(line),
                State.ChunkSize => OnChunkSizeLine(line),
                State.ChunkDataEnd => line.IsEmpty ? Continue(State.ChunkSize) : Fail(ResponseDefect.ChunkFraming),
                _ => OnTrailerLine(line),
            };
            if (status != ResponseParseStatus.NeedMore) return status;
        }
    }

    /// <summary>
    /// The server closed the connection: completes a response whose body runs to the close; anything else begun and not
    /// finished is <see cref="ResponseDefect.Truncated"/>. Returns <see cref="ResponseParseStatus.NeedMore"/> when no
    /// response had begun.
    /// </summary>
    public ResponseParseStatus CompleteAtEndOfInput()
    {
        if (_state == State.BodyUntilClose) return ResponseParseStatus.Complete;
        return InProgress ? Fail(ResponseDefect.Truncated) : ResponseParseStatus.NeedMore;
    }

    private ResponseParseStatus Continue(State next)
    {
        _state = next;
        return ResponseParseStatus.NeedMore;
    }

    private ResponseParseStatus Fail(ResponseDefect defect)
    {
        Defect = defect;
        return ResponseParseStatus.Malformed;
    }

    // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]. A missing SP after the code is
    // tolerated (some servers send "HTTP/1.1 200" alone), a missing or non-digit code is not.
    private ResponseParseStatus OnStatusLine(ReadOnlySpan<byte> line)
    {
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != ' ' || (line.Length > 12 && line[12] != ' '))
        {
            return Fail(ResponseDefect.StatusLine);
        }
        int minor = line[7] - '0';
        int d0 = line[9] - '0', d1 = line[10] - '0', d2 = line[11] - '0';
        if ((uint)minor > 1 || (uint)d0 > 9 || (uint)d1 > 9 || (uint)d2 > 9 || d0 == 0) return Fail(ResponseDefect.StatusLine);
        MinorVersion = minor;
        StatusCode = (d0 * 100) + (d1 * 10) + d2;
        if (StatusCode == 101) return Fail(ResponseDefect.UnsupportedStatus);
        return Continue(State.Headers);
    }

    private ResponseParseStatus OnHeaderLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty) return OnHeadersEnd();
        if (++_headerLines > MaxHeaderLines) return Fail(ResponseDefect.TooManyHeaders);
        int colon = line.IndexOf((byte)':');
        if (colon <= 0 || !HttpCharacters.IsToken(line[..colon])) return Fail(ResponseDefect.HeaderField);
        var name = line[..colon];
        var value = line[(colon + 1)..].Trim(" \t"u8);

        switch (name.Length)
        {
            case 14 when Ascii.EqualsIgnoreCase(name, "content-length"u8):
                if (!TryParseDecimal(value, out long length)) return Fail(ResponseDefect.ContentLength);
                // RFC 9110 §8.6: differing values are an error; repeated identical ones may be accepted.
                if (_contentLength >= 0 && _contentLength != length) return Fail(ResponseDefect.ContentLength);
                _contentLength = length;
                break;
            case 17 when Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8):
                // RFC 9112 §6.3: chunked only counts as the final coding; any other final coding runs to the close.
                var last = LastListElement(value);
                _chunked = Ascii.EqualsIgnoreCase(last, "chunked"u8);
                _otherCoding = !_chunked;
                break;
            case 10 when Ascii.EqualsIgnoreCase(name, "connection"u8):
                ReadConnectionOptions(value);
                break;
        }
        return ResponseParseStatus.NeedMore;
    }

    // RFC 9112 §6.3, in order: no body for HEAD, 1xx, 204, 304; then Transfer-Encoding (over Content-Length); then
    // Content-Length; otherwise the body runs until the server closes.
    private ResponseParseStatus OnHeadersEnd()
    {
        if (StatusCode < 200)
        {
            // An interim response (100 Continue, 103 Early Hints): the real one follows on the same request.
            var head = _headRequest;
            Reset(head);
            InProgress = true;
            return ResponseParseStatus.NeedMore;
        }
        if (MinorVersion == 0 && !_keepAlive) ConnectionClose = true;
        if (_headRequest || StatusCode is 204 or 304) return ResponseParseStatus.Complete;
        if (_chunked) return Continue(State.ChunkSize);
        if (_otherCoding || _contentLength < 0)
        {
            ConnectionClose = true;
            return Continue(State.BodyUntilClose);
        }
        if (_contentLength == 0) return ResponseParseStatus.Complete;
        _remaining = _contentLength;
        return Continue(State.FixedBody);
    }

    // RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF, chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ).
    private ResponseParseStatus OnChunkSizeLine(ReadOnlySpan<byte> line)
    {
        int digits = 0;
        long size = 0;
        while (digits < line.Length)
        {
            int nibble = HttpCharacters.HexValue(line[digits]);
            if (nibble < 0) break;
            if (++digits > MaxChunkSizeDigits) return Fail(ResponseDefect.ChunkFraming);
            size = (size << 4) | (uint)nibble;
        }
        if (digits == 0) return Fail(ResponseDefect.ChunkFraming);
        var extension = line[digits..].TrimStart(" \t"u8);
        if (!extension.IsEmpty && extension[0] != ';') return Fail(ResponseDefect.ChunkFraming);
        if (size == 0)
        {
            _headerLines = 0;
            return Continue(State.Trailers);
        }
        _remaining = size;
        return Continue(State.ChunkData);
    }

    private ResponseParseStatus OnTrailerLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty) return ResponseParseStatus.Complete;
        if (++_headerLines > MaxHeaderLines) return Fail(ResponseDefect.TooManyHeaders);
        int colon = line.IndexOf((byte)':');
        return colon > 0 && HttpCharacters.IsToken(line[..colon]) ? ResponseParseStatus.NeedMore : Fail(ResponseDefect.HeaderField);
    }

    private void ReadConnectionOptions(ReadOnlySpan<byte> value)
    {
        while (!value.IsEmpty)
        {
            int comma = value.IndexOf((byte)',');
            var option = (comma < 0 ? value : value[..comma]).Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(option, "close"u8)) ConnectionClose = true;
            else if (Ascii.EqualsIgnoreCase(option, "keep-alive"u8)) _keepAlive = true;
            value = comma < 0 ? default : value[(comma + 1)..];
        }
    }

    private static ReadOnlySpan<byte> LastListElement(ReadOnlySpan<byte> value)
    {
        int comma = value.LastIndexOf((byte)',');
        return (comma < 0 ? value : value[(comma + 1)..]).Trim(" \t"u8);
    }

    private static bool TryParseDecimal(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > MaxContentLengthDigits) return false;
        foreach (byte b in digits)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9) return false;
            value = (value * 10) + digit;
        }
        return true;
    }
}
