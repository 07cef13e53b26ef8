using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using Netloop.Http;

namespace Netloop.Protocols.Http1;

/// <summary>
/// A strict, incremental, allocation-free parser of an HTTP/1.1 request head (RFC 9112 §2-§6, field syntax of RFC 9110 §5).
/// </summary>
/// <remarks>
/// <para>
/// Contract: <see cref="ParseHead"/> is called with a span that starts at the first byte of the request and only grows
/// between calls (the same bytes, with more after them). The parser keeps its place (a stage and an offset), so feeding
/// a head one byte at a time costs O(n) in total; it never looks at a byte twice except a CR whose LF has not arrived.
/// Results are offsets into that span (<see cref="ByteRange"/>), valid for as long as the caller keeps those bytes.
/// After <see cref="HeadParseStatus.Complete"/> or <see cref="HeadParseStatus.Rejected"/> the parser holds its result
/// until <see cref="Reset"/>, which readies it for the next request. Nothing is allocated after construction: header
/// positions go to a fixed array sized <see cref="HttpLimits.MaxRequestHeaderCount"/>.
/// </para>
/// <para>
/// Rejection is as early as the bytes allow: a forbidden byte is refused when it arrives, a limit when it is crossed.
/// </para>
/// <para>
/// Line endings: every line of the head must end with CRLF. A bare LF is rejected (<see cref="RequestRejection.BareLineFeed"/>),
/// though RFC 9112 §2.2 lets a recipient accept it, because a server and a proxy that disagree about line ends can be made to
/// disagree about where a request ends (request smuggling); a bare CR is rejected as §2.2 allows. Empty lines (CRLF) before
/// the request line are skipped, as §2.2 recommends; they count toward <see cref="HttpLimits.MaxRequestLineSize"/> and
/// toward <see cref="HeadLength"/>.
/// </para>
/// </remarks>
[SkipLocalsInit]
internal sealed partial class RequestHeadParser
{
    private enum Stage : byte
    {
        RequestLineStart,
        Method,
        Target,
        Version,
        FieldLineStart,
        FieldName,
        FieldValue,
        Complete,
        Rejected,
    }

    /// <summary>Bytes of the version and the line end: "HTTP/" DIGIT "." DIGIT CR LF.</summary>
    private const int VersionLength = 10;

    /// <summary>
    /// The longest method accepted, in bytes: 32. The longest in the IANA HTTP Method Registry (UPDATEREDIRECTREF) has
    /// 17, so a longer token is a method no server implements, refused with 501 (<see cref="RequestRejection.MethodTooLong"/>)
    /// when its 33rd byte arrives instead of 414 once the whole request line is used up.
    /// </summary>
    public const int MaxMethodLength = 32;

    private readonly HeaderField[] _fields;
    private readonly int _maxRequestLine;
    private readonly int _maxFieldSection;

    private Stage _stage;
    /// <summary>The next byte to examine.</summary>
    private int _pos;
    /// <summary>First byte of the current line (request line or field line).</summary>
    private int _lineStart;
    /// <summary>Offset of the current field line's colon.</summary>
    private int _colon;
    /// <summary>Offset the header section may not reach; the request line's limit is <see cref="_maxRequestLine"/> itself.</summary>
    private int _fieldSectionEnd;
    private int _fieldCount;
    private int _headLength;
    private RequestRejection _rejection;
    private RequestMethod _method;
    private HttpVersion _version;
    private RequestTargetForm _targetForm;
    private ByteRange _methodRange;
    private ByteRange _targetRange;
    private ByteRange _pathRange;
    private ByteRange _queryRange;
    private ByteRange _hostRange;
    private long _contentLength;
    private int _hostCount;
    private int _chunkedCount;
    /// <summary>Offset of the target's '?' once it has arrived, else -1: the path checks stop there.</summary>
    private int _targetQueryStart;
    private Seen _seen;

    /// <summary>Creates a parser with the limits of <paramref name="limits"/> (the defaults when null).</summary>
    public RequestHeadParser(HttpLimits? limits = null)
    {
        limits ??= new HttpLimits();
        _maxRequestLine = limits.MaxRequestLineSize;
        _maxFieldSection = limits.MaxRequestHeadersTotalSize;
        _fields = new HeaderField[limits.MaxRequestHeaderCount];
        Reset();
    }

    /// <summary>Forgets the current request so the parser can take the next one.</summary>
    public void Reset()
    {
        _stage = Stage.RequestLineStart;
        _pos = 0;
        _lineStart = 0;
        _colon = 0;
        _fieldSectionEnd = 0;
        _fieldCount = 0;
        _headLength = 0;
        _rejection = RequestRejection.None;
        _method = RequestMethod.Custom;
        _version = HttpVersion.Http11;
        _targetForm = RequestTargetForm.Origin;
        _methodRange = default;
        _targetRange = default;
        _pathRange = default;
        _queryRange = default;
        _hostRange = default;
        _contentLength = -1;
        _hostCount = 0;
        _chunkedCount = 0;
        _targetQueryStart = -1;
        _seen = Seen.None;
    }

    /// <summary>Whether the head is complete; the accessors below are meaningful only then.</summary>
    public bool IsComplete => _stage == Stage.Complete;

    /// <summary>Why the request was rejected, or <see cref="RequestRejection.None"/>.</summary>
    public RequestRejection Rejection => _rejection;

    /// <summary>Bytes of the head: empty lines before it, the request line, the field lines and the final CRLF.</summary>
    public int HeadLength => _headLength;

    /// <summary>The method.</summary>
    public RequestMethod Method => _method;

    /// <summary>The method's bytes (for <see cref="RequestMethod.Custom"/>).</summary>
    public ByteRange MethodRange => _methodRange;

    /// <summary>The whole request-target.</summary>
    public ByteRange TargetRange => _targetRange;

    /// <summary>Which of the four forms the request-target has.</summary>
    public RequestTargetForm TargetForm => _targetForm;

    /// <summary>
    /// The path: origin-form up to '?'; absolute-form from the '/' after the authority up to '?' (empty when the URI has
    /// no path, which means "/"); asterisk-form the "*"; authority-form empty.
    /// </summary>
    public ByteRange PathRange => _pathRange;

    /// <summary>The query after '?', without it; empty when there is none (or it is empty).</summary>
    public ByteRange QueryRange => _queryRange;

    /// <summary>The HTTP version.</summary>
    public HttpVersion Version => _version;

    /// <summary>Number of field lines.</summary>
    public int HeaderCount => _fieldCount;

    /// <summary>The <paramref name="index"/>th field line, in arrival order.</summary>
    public HeaderField GetHeader(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _fieldCount);
        return _fields[index];
    }

    /// <summary>The declared body length, or -1 without Content-Length.</summary>
    public long ContentLength => (_seen & Seen.ContentLength) != 0 ? _contentLength : -1;

    /// <summary>Whether the body is chunked (Transfer-Encoding: chunked, the only transfer coding accepted).</summary>
    public bool IsChunked => _stage == Stage.Complete && (_seen & Seen.TransferEncoding) != 0;

    /// <summary>
    /// Whether the connection may carry another request after this one: for HTTP/1.1 unless Connection lists "close";
    /// for HTTP/1.0 only if Connection lists "keep-alive" and not "close" (RFC 9112 §9.3).
    /// </summary>
    public bool KeepAlive => (_seen & Seen.ConnectionClose) == 0
        && (_version == HttpVersion.Http11 || (_seen & Seen.ConnectionKeepAlive) != 0);

    /// <summary>Whether Connection lists "upgrade" (the request may carry an Upgrade field to act on).</summary>
    public bool ConnectionUpgrade => (_seen & Seen.ConnectionUpgrade) != 0;

    /// <summary>Whether Expect lists "100-continue" in an HTTP/1.1 request (RFC 9110 §10.1.1; ignored in HTTP/1.0).</summary>
    public bool ExpectContinue => (_seen & Seen.ExpectContinue) != 0;

    /// <summary>Whether the request has a Host field (possibly empty).</summary>
    public bool HasHost => _hostCount != 0;

    /// <summary>
    /// The Host value, when <see cref="HasHost"/>. For an absolute-form target the authority in the target is the one to
    /// use, and Host must be ignored (RFC 9112 §3.2.2); the parser validates Host but does not compare the two.
    /// </summary>
    public ByteRange HostRange => _hostRange;

    /// <summary>Compares a field name with <paramref name="literal"/>, ASCII case-insensitively (field names are case-insensitive).</summary>
    public static bool NameEquals(ReadOnlySpan<byte> name, ReadOnlySpan<byte> literal) => Ascii.EqualsIgnoreCase(name, literal);

    /// <summary>
    /// The index of the first field line at or after <paramref name="startIndex"/> named <paramref name="name"/>, or -1;
    /// call again from the index after to walk repeated fields.
    /// </summary>
    public int IndexOfHeader(ReadOnlySpan<byte> data, ReadOnlySpan<byte> name, int startIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startIndex);
        for (int i = startIndex; i < _fieldCount; i++)
        {
            var field = _fields[i];
            if (field.NameRange.Length == name.Length && Ascii.EqualsIgnoreCase(field.NameRange.Of(data), name)) return i;
        }
        return -1;
    }

    /// <summary>The value of the first field line named <paramref name="name"/>.</summary>
    public bool TryGetHeader(ReadOnlySpan<byte> data, ReadOnlySpan<byte> name, out ByteRange value)
    {
        int i = IndexOfHeader(data, name);
        value = i < 0 ? default : _fields[i].ValueRange;
        return i >= 0;
    }

    /// <summary>
    /// Parses as much of the head as <paramref name="data"/> holds. <paramref name="data"/> must start at the request's
    /// first byte and hold at least what the previous call was given.
    /// </summary>
    public HeadParseStatus ParseHead(ReadOnlySpan<byte> data)
    {
        if (data.Length < _pos) ThrowShrunk();
        while (true)
        {
            bool advanced = _stage switch
            {
                Stage.RequestLineStart => SkipEmptyLines(data),
                Stage.Method => ParseMethod(data),
                Stage.Target => ParseTarget(data),
                Stage.Version => ParseVersion(data),
                Stage.FieldLineStart => StartFieldLine(data),
                Stage.FieldName => ParseFieldName(data),
                Stage.FieldValue => ParseFieldValue(data),
                _ => false, // Complete or Rejected: the result stays until Reset

            };
            if (!advanced)
            {
                return _stage switch
                {
                    Stage.Complete => HeadParseStatus.Complete,
                    Stage.Rejected => HeadParseStatus.Rejected,
                    _ => HeadParseStatus.Incomplete,
                };
            }
        }
    }

    // Request line: method SP request-target SP HTTP-version CRLF (RFC 9112 §3). The whole line, and the empty lines
    // before it, must fit in the first _maxRequestLine bytes.

    private bool SkipEmptyLines(ReadOnlySpan<byte> data)
    {
        int end = Math.Min(data.Length, _maxRequestLine);
        while (true)
        {
            if (_pos >= end) return NeedMore(data.Length, _maxRequestLine, RequestRejection.RequestLineTooLong);
            byte b = data[_pos];
            if (b == '\r')
            {
                // RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF) before the request line.
                if (_pos + 1 >= end) return NeedMore(data.Length, _maxRequestLine, RequestRejection.RequestLineTooLong);
                if (data[_pos + 1] != '\n') return Reject(RequestRejection.BareCarriageReturn);
                _pos += 2;
                continue;
            }
            if (b == '\n') return Reject(RequestRejection.BareLineFeed);
            _lineStart = _pos;
            _stage = Stage.Method;
            return true;
        }
    }

    private bool ParseMethod(ReadOnlySpan<byte> data)
    {
        // The scan may see one byte past the longest method: a token byte there proves the method too long.
        int methodEnd = _lineStart + MaxMethodLength + 1;
        int end = Math.Min(Math.Min(data.Length, _maxRequestLine), methodEnd);
        int i = data[_pos..end].IndexOfAnyExcept(HttpCharacters.Token);
        if (i < 0)
        {
            _pos = end;
            if (end == methodEnd) return Reject(RequestRejection.MethodTooLong);
            return NeedMore(data.Length, _maxRequestLine, RequestRejection.RequestLineTooLong);
        }
        int p = _pos + i;
        byte b = data[p];
        if (b != ' ')
        {
            return Reject(b is (byte)'\t' or (byte)'\r' or (byte)'\n' ? RequestRejection.InvalidRequestLine : RequestRejection.InvalidMethod);
        }
        if (p == _lineStart) return Reject(RequestRejection.InvalidRequestLine);
        _methodRange = new ByteRange(_lineStart, p - _lineStart);
        _method = ClassifyMethod(_methodRange.Of(data));
        _pos = p + 1;
        _stage = Stage.Target;
        return true;
    }

    private bool ParseTarget(ReadOnlySpan<byte> data)
    {
        int start = _methodRange.End + 1;
        int end = Math.Min(data.Length, _maxRequestLine);
        int i = data[_pos..end].IndexOfAnyExcept(HttpCharacters.Target);
        if (!CheckPathBytes(data, start, i < 0 ? end : _pos + i)) return Reject(RequestRejection.UnsafeRequestPath);
        if (i < 0)
        {
            _pos = end;
            return NeedMore(data.Length, _maxRequestLine, RequestRejection.RequestLineTooLong);
        }
        int p = _pos + i;
        byte b = data[p];
        if (b != ' ')
        {
            return Reject(b is (byte)'\t' or (byte)'\r' or (byte)'\n' ? RequestRejection.InvalidRequestLine : RequestRejection.InvalidRequestTarget);
        }
        if (p == start) return Reject(RequestRejection.InvalidRequestLine);
        _targetRange = new ByteRange(start, p - start);
        if (!ClassifyTarget(data)) return Reject(RequestRejection.InvalidRequestTarget);
        _pos = p + 1;
        _stage = Stage.Version;
        return true;
    }

    private bool ParseVersion(ReadOnlySpan<byte> data)
    {
        // HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3), then CRLF. Checked byte by byte as
        // the bytes arrive, so "HTTX" is refused at the X.
        int start = _targetRange.End + 1;
        int stop = Math.Min(Math.Min(data.Length, _maxRequestLine), start + VersionLength);
        if (_pos == start && stop == start + VersionLength)
        {
            // The usual case, all ten bytes here: one comparison instead of ten.
            var version = data.Slice(start, VersionLength);
            if (version.SequenceEqual("HTTP/1.1\r\n"u8) || version.SequenceEqual("HTTP/1.0\r\n"u8)) _pos = stop;
        }
        for (; _pos < stop; _pos++)
        {
            byte b = data[_pos];
            int k = _pos - start;
            bool valid = k switch
            {
                < 5 => b == "HTTP/"u8[k],
                5 or 7 => HttpCharacters.IsDigit(b),
                6 => b == '.',
                8 => b == '\r',
                _ => b == '\n',
            };
            if (!valid)
            {
                return Reject(k switch
                {
                    8 when b == '\n' => RequestRejection.BareLineFeed,
                    9 => RequestRejection.BareCarriageReturn,
                    _ => RequestRejection.InvalidHttpVersion,
                });
            }
        }
        if (_pos < start + VersionLength) return NeedMore(data.Length, _maxRequestLine, RequestRejection.RequestLineTooLong);

        byte major = data[start + 5];
        byte minor = data[start + 7];
        if (major == '1' && minor == '1') _version = HttpVersion.Http11;
        else if (major == '1' && minor == '0') _version = HttpVersion.Http10;
        // RFC 9110 §2.5 would have HTTP/1.2+ processed as 1.1; like Kestrel we answer 505 to any version but 1.0 and 1.1,
        // since no such client exists and a 505 is the clearer signal.
        else return Reject(RequestRejection.HttpVersionNotSupported);

        // The field section may use _maxFieldSection bytes of field lines, plus the CRLF that ends it.
        _fieldSectionEnd = (int)Math.Min((long)_pos + _maxFieldSection + 2, int.MaxValue);
        _lineStart = _pos;
        _stage = Stage.FieldLineStart;
        return true;
    }

    // Field lines: field-name ":" OWS field-value OWS CRLF (RFC 9112 §5), then an empty line.

    private bool StartFieldLine(ReadOnlySpan<byte> data)
    {
        int end = Math.Min(data.Length, _fieldSectionEnd);
        if (_pos >= end) return NeedMore(data.Length, _fieldSectionEnd, RequestRejection.HeadersTooLarge);
        byte b = data[_pos];
        if (b == '\r')
        {
            if (_pos + 1 >= end) return NeedMore(data.Length, _fieldSectionEnd, RequestRejection.HeadersTooLarge);
            if (data[_pos + 1] != '\n') return Reject(RequestRejection.BareCarriageReturn);
            _headLength = _pos + 2;
            return Finish();
        }
        if (b == '\n') return Reject(RequestRejection.BareLineFeed);
        // RFC 9112 §5.2: obs-fold in a request MUST be rejected with 400 (or replaced; we reject). §2.2: whitespace
        // between the request line and the first field MUST be rejected or the line ignored; we reject.
        if (HttpCharacters.IsWhitespace(b)) return Reject(RequestRejection.ObsoleteLineFolding);
        if (_fieldCount == _fields.Length) return Reject(RequestRejection.TooManyHeaders);
        _lineStart = _pos;
        _stage = Stage.FieldName;
        return true;
    }

    private bool ParseFieldName(ReadOnlySpan<byte> data)
    {
        int end = Math.Min(data.Length, _fieldSectionEnd);
        int i = data[_pos..end].IndexOfAnyExcept(HttpCharacters.Token);
        if (i < 0)
        {
            _pos = end;
            return NeedMore(data.Length, _fieldSectionEnd, RequestRejection.HeadersTooLarge);
        }
        int p = _pos + i;
        switch (data[p])
        {
            case (byte)':':
                if (p == _lineStart) return Reject(RequestRejection.EmptyHeaderName);
                _colon = p;
                _pos = p + 1;
                _stage = Stage.FieldValue;
                return true;
            case (byte)' ' or (byte)'\t':
                // RFC 9112 §5.1: a server MUST reject whitespace between field name and colon with 400.
                return Reject(RequestRejection.WhitespaceBeforeColon);
            case (byte)'\r' or (byte)'\n':
                return Reject(RequestRejection.InvalidHeaderLine);
            default:
                return Reject(RequestRejection.InvalidHeaderName);
        }
    }

    private bool ParseFieldValue(ReadOnlySpan<byte> data)
    {
        int end = Math.Min(data.Length, _fieldSectionEnd);
        int p;
        byte b;
        while (true)
        {
            // Values are nearly always SP..'~'; a one-range scan is cheaper than a set scan, and the rare HTAB or
            // obs-text byte just resumes it.
            int i = data[_pos..end].IndexOfAnyExceptInRange((byte)' ', (byte)'~');
            if (i < 0)
            {
                _pos = end;
                return NeedMore(data.Length, _fieldSectionEnd, RequestRejection.HeadersTooLarge);
            }
            p = _pos + i;
            b = data[p];
            if (b != '\t' && b < 0x80) break;
            _pos = p + 1;
        }
        if (b == '\n') return Reject(RequestRejection.BareLineFeed);
        // RFC 9110 §5.5: NUL and other CTLs in a value are invalid; rejecting is the safe reading of "reject or replace".
        if (b != '\r') return Reject(RequestRejection.InvalidHeaderValue);
        if (p + 1 >= end)
        {
            _pos = p; // look at this CR again once its LF may have arrived
            return NeedMore(data.Length, _fieldSectionEnd, RequestRejection.HeadersTooLarge);
        }
        if (data[p + 1] != '\n') return Reject(RequestRejection.BareCarriageReturn);

        var name = new ByteRange(_lineStart, _colon - _lineStart);
        int valueStart = _colon + 1;
        int valueEnd = p;
        while (valueStart < valueEnd && HttpCharacters.IsWhitespace(data[valueStart])) valueStart++;
        while (valueEnd > valueStart && HttpCharacters.IsWhitespace(data[valueEnd - 1])) valueEnd--;
        var value = new ByteRange(valueStart, valueEnd - valueStart);
        _fields[_fieldCount++] = new HeaderField(name, value);
        if (!OnField(data, name, value)) return false;
        _pos = p + 2;
        _lineStart = _pos;
        _stage = Stage.FieldLineStart;
        return true;
    }

    /// <summary>
    /// The scan reached the end of what it may look at without finding what ends the element. If that end is the limit
    /// rather than the end of the data, more data cannot help: reject now.
    /// </summary>
    private bool NeedMore(int dataLength, int limitEnd, RequestRejection tooLarge)
    {
        if (dataLength >= limitEnd) Reject(tooLarge);
        return false;
    }

    private bool Reject(RequestRejection rejection)
    {
        _rejection = rejection;
        _stage = Stage.Rejected;
        return false;
    }

    [DoesNotReturn]
    private static void ThrowShrunk() =>
        throw new ArgumentException("The data must start at the request's first byte and only grow between calls.", "data");
}
