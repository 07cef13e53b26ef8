using System.Buffers;
using System.Text;
using Netloop.Http;
using Netloop.Protocols.Http1;
using Netloop.Protocols.Http2.Hpack;

namespace Netloop.Protocols.Http2;

/// <summary>
/// Header blocks: HEADERS and its CONTINUATION frames assembled (bounded in bytes and frames), decoded with HPACK, and
/// validated as a request (RFC 9113 §8.1–§8.3) into the stream's <see cref="RequestHead"/>; then the stream starts.
/// </summary>
internal sealed partial class Http2Connection : IHpackHeaderSink
{
    // A block split over several frames is copied here until END_HEADERS (rented only then; most blocks are one frame).
    private byte[]? _headerBlock;
    private int _headerBlockLength;
    private int _headerBlockStreamId;
    private int _headerBlockFrames;
    private bool _headerBlockEndsStream;

    // Decoding state: the head being filled (null while decoding a block only to keep HPACK in step), and what the
    // fields said.
    private RequestHead? _decodingHead;
    private bool _decodingTrailers;
    private string? _malformed;
    private FieldsSeen _seen;
    private int _fieldCount;
    private long _declaredLength;
    private (int Start, int Length) _authority;
    private bool _badPath;

    [Flags]
    private enum FieldsSeen
    {
        None = 0,
        Method = 1,
        Scheme = 2,
        Path = 4,
        Authority = 8,
        Regular = 16,
        Host = 32,
        Connect = 64,
        Head = 128,
        Options = 256,
        Asterisk = 512,
        Protocol = 1024,
        ExpectContinue = 2048,
    }

    private void OnHeaders(Http2FrameHeader frame, ReadOnlySpan<byte> payload)
    {
        int id = frame.StreamId;
        if (id == 0)
        {
            ConnectionError(Http2ErrorCode.ProtocolError, "HEADERS on stream 0");
            return;
        }
        if (!TryRemovePadding(frame, ref payload)) return;
        bool selfDependent = false;
        if (frame.HasFlag(Http2Flags.Priority))
        {
            if (payload.Length < 5)
            {
                // §6.2: padding that leaves no room for the priority fields is a padding error; a frame that has no
                // room for them anyway is a size error.
                bool paddingTookThem = frame.HasFlag(Http2Flags.Padded) && frame.Length >= 6;
                ConnectionError(paddingTookThem ? Http2ErrorCode.ProtocolError : Http2ErrorCode.FrameSizeError,
                    paddingTookThem ? "the padding of a HEADERS frame covers its priority fields" : "a HEADERS frame too short for its priority fields");
                return;
            }
            // §5.3.2: parsed and ignored, but a stream cannot depend on itself.
            selfDependent = ReadStreamId(payload) == id;
            payload = payload[5..];
        }
        if (frame.HasFlag(Http2Flags.EndHeaders))
        {
            if (payload.IsEmpty && !frame.HasFlag(Http2Flags.EndStream) && !SpendEmptyFrame()) return;
            ProcessHeaderBlock(id, payload, frame.HasFlag(Http2Flags.EndStream), selfDependent);
            return;
        }
        _headerBlockStreamId = id;
        _headerBlockFrames = 1;
        _headerBlockEndsStream = frame.HasFlag(Http2Flags.EndStream);
        _headerBlockSelfDependent = selfDependent;
        _headerBlockLength = 0;
        AppendHeaderFragment(payload);
    }

    private bool _headerBlockSelfDependent;

    // Which of the 64 odd ids up to _lastClientStreamId the client opened (bit i: _lastClientStreamId - 2i), so a
    // header block on an id it skipped (§5.1.1) is told from one on a stream that closed (§5.1).
    private ulong _recentlyOpened;

    private void OnContinuation(Http2FrameHeader frame, ReadOnlySpan<byte> payload)
    {
        if (_headerBlockStreamId == 0 || frame.StreamId != _headerBlockStreamId)
        {
            ConnectionError(Http2ErrorCode.ProtocolError, $"CONTINUATION on stream {frame.StreamId} without a HEADERS frame before it");
            return;
        }
        if (++_headerBlockFrames > _limits.MaxHeaderBlockFrames)
        {
            Interlocked.Increment(ref Counters.ContinuationFloods);
            Flood("CONTINUATION flood", $"more than {_limits.MaxHeaderBlockFrames} frames in one header block");
            return;
        }
        if (payload.IsEmpty && !frame.HasFlag(Http2Flags.EndHeaders) && !SpendEmptyFrame()) return;
        if (!AppendHeaderFragment(payload)) return;
        if (!frame.HasFlag(Http2Flags.EndHeaders)) return;
        int id = _headerBlockStreamId;
        _headerBlockStreamId = 0;
        ProcessHeaderBlock(id, _headerBlock.AsSpan(0, _headerBlockLength), _headerBlockEndsStream, _headerBlockSelfDependent);
        DropHeaderBlock();
    }

    /// <summary>Adds a fragment to the block being assembled; false (after closing the connection) past the size cap.</summary>
    private bool AppendHeaderFragment(ReadOnlySpan<byte> fragment)
    {
        int length = _headerBlockLength + fragment.Length;
        if (length > _limits.MaxHeaderListSize)
        {
            // A compressed block cannot be skipped without decoding it (the dynamic table would fall out of step), and
            // it is larger than any list we accept: the connection ends (CVE-2024-27316 class).
            Interlocked.Increment(ref Counters.ContinuationFloods);
            Flood("header block too large", $"a header block of more than {_limits.MaxHeaderListSize} bytes");
            return false;
        }
        if (_headerBlock is null || _headerBlock.Length < length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(length, 4096));
            if (_headerBlock is not null)
            {
                _headerBlock.AsSpan(0, _headerBlockLength).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_headerBlock);
            }
            _headerBlock = bigger;
        }
        fragment.CopyTo(_headerBlock.AsSpan(_headerBlockLength));
        _headerBlockLength = length;
        return true;
    }

    private void DropHeaderBlock()
    {
        _headerBlockStreamId = 0;
        _headerBlockLength = 0;
        if (_headerBlock is null) return;
        ArrayPool<byte>.Shared.Return(_headerBlock);
        _headerBlock = null;
    }

    /// <summary>A complete header block: trailers of an open stream, or a new request.</summary>
    private void ProcessHeaderBlock(int id, ReadOnlySpan<byte> block, bool endStream, bool selfDependent)
    {
        if (id % 2 == 0)
        {
            ConnectionError(Http2ErrorCode.ProtocolError, $"HEADERS on even stream {id}: clients open odd streams");
            return;
        }
        if (!IsIdle(id))
        {
            ProcessHeadersOnUsedId(id, block, endStream);
            return;
        }
        NoteStreamOpened(id);
        bool accept = !_goingAway || id <= _goAwayLastStreamId;
        if (!accept || _clientGoneAway)
        {
            // After GOAWAY new streams are ignored (§6.8), but the block still moves the HPACK tables.
            DecodeOnly(block);
            return;
        }
        if (ActiveStreamCount >= _limits.MaxConcurrentStreams || ActiveStreamCount + _detachedHandlers >= 2 * _limits.MaxConcurrentStreams)
        {
            if (!DecodeOnly(block)) return;
            RefuseStream(id);
            return;
        }
        var stream = Http2StreamPool.Current.Rent();
        stream.Open(this, id, _peerInitialWindowSize, _limits.InitialStreamWindowSize);
        var result = DecodeRequest(stream.Context.Head, block);
        if (IsClosed)
        {
            stream.Release();
            return;
        }
        (_streams ??= new Dictionary<int, Http2Stream>()).Add(id, stream);
        _streamsOpened++;
        Interlocked.Increment(ref Counters.Streams);
        if (endStream) stream.RemoteClosed = true;
        if (selfDependent)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "a stream that depends on itself");
            return;
        }
        if (_malformed is not null)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, _malformed);
            return;
        }
        if (_streamsOpened >= _limits.MaxStreamsPerConnection) ReachedStreamLimit();
        if (result == HpackDecodeResult.HeaderListTooLarge || _fieldCount > _factory.Limits.MaxRequestHeaderCount)
        {
            Interlocked.Increment(ref Counters.HeaderListsTooLarge);
            if (!SpendRefusal($"header lists larger than {_limits.MaxHeaderListSize} bytes (HPACK bomb)"))
            {
                RemoveStream(stream);
                return;
            }
            stream.Refuse(431, "Request Header Fields Too Large\n");
            return;
        }
        if (_badPath)
        {
            stream.Refuse(400, "Bad Request\n");
            return;
        }
        long? maxBody = _factory.Limits.MaxRequestBodySize;
        if (_declaredLength > 0 && maxBody is { } max && _declaredLength > max)
        {
            stream.Refuse(413, "Payload Too Large\n");
            return;
        }
        if (endStream && _declaredLength > 0)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "content-length announced a body the stream does not carry");
            return;
        }
        // RFC 9110 §10.1.1 (RFC 9113 §8.1: an interim HEADERS): the client waits for 100 before sending the body.
        if (RefusedByRateLimit(stream)) return;
        stream.ExpectsContinue = !endStream && (_seen & FieldsSeen.ExpectContinue) != 0;
        stream.Start(_declaredLength, hasBody: !endStream);
    }

    /// <summary>The interim response <c>100 Continue</c> on <paramref name="stream"/>: a HEADERS frame without END_STREAM.</summary>
    internal void WriteContinue(Http2Stream stream) =>
        WriteHeaderBlock(stream, static (encoder, output, _) => encoder.EncodeStatus(100, output), endStream: false);

    /// <summary>A header block on an id the client has used already: trailers of an open stream, or one of §5.1's errors.</summary>
    private void ProcessHeadersOnUsedId(int id, ReadOnlySpan<byte> block, bool endStream)
    {
        var stream = FindStream(id);
        if (stream is not null && !stream.RemoteClosed)
        {
            ProcessTrailers(stream, block, endStream);
            return;
        }
        if (stream is not null)
        {
            // §5.1 half-closed (remote): the client already ended the stream: a stream error, and the connection goes
            // on, so the block is decoded first to keep the HPACK tables in step with the client's encoder.
            if (!DecodeOnly(block)) return;
            StreamError(stream, Http2ErrorCode.StreamClosed, $"HEADERS on stream {id} after END_STREAM");
            return;
        }
        if (WasResetLately(id))
        {
            // §5.1: frames the client sent before it saw this side's RST_STREAM are ignored (the block still decoded).
            DecodeOnly(block);
            return;
        }
        if (WasResetByClient(id))
        {
            // §5.1 closed: after the client's own RST_STREAM, a stream error (the block decoded, HPACK stays in step).
            if (!DecodeOnly(block)) return;
            ResetStream(id, Http2ErrorCode.StreamClosed, $"HEADERS on stream {id} after the client reset it");
            return;
        }
        if (!WasOpened(id))
        {
            // §5.1.1: a new stream's id must be above every id the client used; this one it skipped.
            ConnectionError(Http2ErrorCode.ProtocolError, $"HEADERS on stream {id}, below stream {_lastClientStreamId} opened before it");
            return;
        }
        // §5.1 closed: the stream ended on both sides.
        ConnectionError(Http2ErrorCode.StreamClosed, $"HEADERS on closed stream {id}");
    }

    /// <summary>The client opened stream <paramref name="id"/>, the highest so far (ids it skipped are closed, §5.1.1).</summary>
    private void NoteStreamOpened(int id)
    {
        int shift = (id - _lastClientStreamId + 1) / 2;
        _recentlyOpened = shift >= 64 ? 1UL : (_recentlyOpened << shift) | 1UL;
        _lastClientStreamId = id;
    }

    /// <summary>
    /// Whether the client opened <paramref name="id"/> (not above the last id), rather than skipping it. Only the last
    /// 64 odd ids are remembered; an older one is taken as opened (then closed), the conservative answer.
    /// </summary>
    private bool WasOpened(int id)
    {
        int distance = (_lastClientStreamId - id) / 2;
        return distance >= 64 || (_recentlyOpened & (1UL << distance)) != 0;
    }

    /// <summary>
    /// The request of stream 1 after an h2c upgrade: already parsed by HTTP/1.1, half-closed from the client's side.
    /// It spends the per-IP request budget like any stream (else an upgrade per connection would dodge the limit).
    /// </summary>
    private void OpenUpgradedStream(HttpContext context)
    {
        var stream = Http2StreamPool.Current.Rent();
        stream.OpenWith(this, 1, _peerInitialWindowSize, _limits.InitialStreamWindowSize, context);
        (_streams ??= new Dictionary<int, Http2Stream>()).Add(1, stream);
        _streamsOpened++;
        Interlocked.Increment(ref Counters.Streams);
        stream.RemoteClosed = true;
        context.Head.IsHttp2 = true;
        if (RefusedByRateLimit(stream)) return;
        stream.Start(-1, hasBody: false);
    }

    /// <summary>Decodes a block only to keep the dynamic table in step; false after a connection error.</summary>
    private bool DecodeOnly(ReadOnlySpan<byte> block)
    {
        DecodeRequest(null, block);
        return !IsClosed;
    }

    private HpackDecodeResult DecodeRequest(RequestHead? head, ReadOnlySpan<byte> block)
    {
        _decodingHead = head;
        _decodingTrailers = false;
        _malformed = null;
        _seen = FieldsSeen.None;
        _fieldCount = 0;
        _declaredLength = -1;
        _authority = default;
        _badPath = false;
        if (head is not null)
        {
            head.Clear();
            head.IsHttp2 = true;
            head.IsHttp11 = true;
            head.IsChunked = false;
            head.IsHead = false;
            head.TargetForm = RequestTargetForm.Origin;
        }
        var result = Decode(block);
        if (IsClosed || head is null || _malformed is not null) return result;
        FinishRequestHead(head);
        return result;
    }

    private HpackDecodeResult Decode(ReadOnlySpan<byte> block)
    {
        var decoder = _decoder ??= new HpackDecoder(_limits.HeaderTableSize, _limits.MaxHeaderListSize);
        try
        {
            return decoder.Decode(block, this);
        }
        catch (HpackDecodingException e)
        {
            ConnectionError(Http2ErrorCode.CompressionError, e.Message);
            return HpackDecodeResult.Ok;
        }
    }

    /// <summary>§8.3.1: the pseudo-headers a request must have, and the head's derived fields.</summary>
    private void FinishRequestHead(RequestHead head)
    {
        if ((_seen & FieldsSeen.Method) == 0)
        {
            _malformed = "a request without :method";
            return;
        }
        if ((_seen & FieldsSeen.Connect) != 0)
        {
            // §8.5: CONNECT carries :authority only (no extended CONNECT: SETTINGS_ENABLE_CONNECT_PROTOCOL is not sent).
            if ((_seen & FieldsSeen.Scheme) != 0 || (_seen & FieldsSeen.Path) != 0 || (_seen & FieldsSeen.Authority) == 0)
            {
                _malformed = "a CONNECT request must carry :authority and neither :scheme nor :path";
                return;
            }
            head.TargetForm = RequestTargetForm.Authority;
            head.TargetRange = _authority;
            head.PathRange = (_authority.Start, 0);
            head.QueryRange = (_authority.Start, 0);
        }
        else if ((_seen & FieldsSeen.Scheme) == 0 || (_seen & FieldsSeen.Path) == 0)
        {
            _malformed = "a request without :scheme or :path";
            return;
        }
        if ((_seen & FieldsSeen.Asterisk) != 0 && (_seen & FieldsSeen.Options) == 0)
        {
            _malformed = ":path '*' is only for OPTIONS";
            return;
        }
        if ((_seen & FieldsSeen.Protocol) != 0)
        {
            _malformed = ":protocol without extended CONNECT";
            return;
        }
        head.IsHead = (_seen & FieldsSeen.Head) != 0;
        head.ContentLength = _declaredLength;
        // §8.3.1: :authority stands for Host; handlers read it as the Host header, as over HTTP/1.1.
        if ((_seen & FieldsSeen.Authority) != 0 && (_seen & FieldsSeen.Host) == 0)
        {
            int name = head.Append("host"u8);
            head.AddHeader(name, 4, _authority.Start, _authority.Length);
        }
        else if ((_seen & FieldsSeen.Authority) != 0 && head.TryGetHeader("host"u8, out var host)
                 && !System.Text.Ascii.EqualsIgnoreCase(host, head.Slice(_authority)))
        {
            // §8.3.1: a Host naming another entity than :authority makes the request malformed (Kestrel instead
            // overwrites Host; a handler here never sees two answers to "which host?").
            _malformed = "a Host header that differs from :authority";
        }
    }

    /// <summary>Trailers: a last header block that must end the stream and carry no pseudo-headers (§8.1); their fields are not kept.</summary>
    private void ProcessTrailers(Http2Stream stream, ReadOnlySpan<byte> block, bool endStream)
    {
        _decodingHead = null;
        _decodingTrailers = true;
        _malformed = null;
        _seen = FieldsSeen.None;
        _fieldCount = 0;
        Decode(block);
        _decodingTrailers = false;
        if (IsClosed) return;
        if (!endStream)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "a second header block that does not end the stream");
            return;
        }
        if (_malformed is not null)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, _malformed);
            return;
        }
        EndRequestBody(stream);
    }

    void IHpackHeaderSink.OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (_malformed is not null) return;
        _fieldCount++;
        if (name.IsEmpty)
        {
            _malformed = "an empty field name";
            return;
        }
        if (name[0] == ':')
        {
            OnPseudoHeader(name, value);
            return;
        }
        _seen |= FieldsSeen.Regular;
        if (!IsValidFieldName(name))
        {
            _malformed = $"field name '{Printable(name)}' has uppercase or invalid characters";
            return;
        }
        if (!IsValidFieldValue(value))
        {
            _malformed = $"field '{Printable(name)}' has an invalid value";
            return;
        }
        if (IsConnectionSpecific(name))
        {
            _malformed = $"connection-specific field '{Printable(name)}'";
            return;
        }
        // §8.2.2; transfer-coding names are case-insensitive (RFC 9110 §10.1.4), so "TRAILERS" is the same value.
        if (name.SequenceEqual("te"u8) && !Ascii.EqualsIgnoreCase(value, "trailers"u8))
        {
            _malformed = "TE other than 'trailers'";
            return;
        }
        if (_decodingTrailers) return;
        if (name.SequenceEqual("content-length"u8))
        {
            if (!TryParseLength(value, out long length) || (_declaredLength >= 0 && _declaredLength != length))
            {
                _malformed = "an invalid content-length";
                return;
            }
            _declaredLength = length;
        }
        else if (name.SequenceEqual("host"u8))
        {
            _seen |= FieldsSeen.Host;
        }
        else if (name.SequenceEqual("expect"u8) && System.Text.Ascii.EqualsIgnoreCase(value, "100-continue"u8))
        {
            _seen |= FieldsSeen.ExpectContinue;
        }
        var head = _decodingHead;
        if (head is null) return;
        int nameStart = head.Append(name);
        int valueStart = head.Append(value);
        head.AddHeader(nameStart, name.Length, valueStart, value.Length);
    }

    private void OnPseudoHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        // §8.3: pseudo-headers come first, once each, only the defined ones, and never in trailers.
        if (_decodingTrailers)
        {
            _malformed = "a pseudo-header in trailers";
            return;
        }
        if ((_seen & FieldsSeen.Regular) != 0)
        {
            _malformed = $"pseudo-header {Printable(name)} after a regular field";
            return;
        }
        FieldsSeen which = name switch
        {
            _ when name.SequenceEqual(":method"u8) => FieldsSeen.Method,
            _ when name.SequenceEqual(":scheme"u8) => FieldsSeen.Scheme,
            _ when name.SequenceEqual(":path"u8) => FieldsSeen.Path,
            _ when name.SequenceEqual(":authority"u8) => FieldsSeen.Authority,
            _ when name.SequenceEqual(":protocol"u8) => FieldsSeen.Protocol,
            _ => FieldsSeen.None,
        };
        if (which == FieldsSeen.None)
        {
            _malformed = $"unknown or response pseudo-header {Printable(name)} in a request";
            return;
        }
        if ((_seen & which) != 0)
        {
            _malformed = $"pseudo-header {Printable(name)} appears twice";
            return;
        }
        _seen |= which;
        var head = _decodingHead;
        switch (which)
        {
            case FieldsSeen.Method:
                if (!HttpCharacters.IsToken(value))
                {
                    _malformed = "an invalid :method";
                    return;
                }
                if (value.SequenceEqual("CONNECT"u8)) _seen |= FieldsSeen.Connect;
                else if (value.SequenceEqual("HEAD"u8)) _seen |= FieldsSeen.Head;
                else if (value.SequenceEqual("OPTIONS"u8)) _seen |= FieldsSeen.Options;
                if (head is not null)
                {
                    head.Method = MethodName(value);
                    head.MethodRange = (head.Append(value), value.Length);
                }
                break;
            case FieldsSeen.Scheme:
                if (value.IsEmpty || value.IndexOfAnyExcept(HttpCharacters.Scheme) >= 0) _malformed = "an invalid :scheme";
                break;
            case FieldsSeen.Authority:
                if (!HttpCharacters.IsValidAuthority(value, requireHost: false, requirePort: false))
                {
                    _malformed = "an invalid :authority";
                    return;
                }
                if (head is not null) _authority = (head.Append(value), value.Length);
                break;
            case FieldsSeen.Path:
                OnPath(head, value);
                break;
        }
    }

    private void OnPath(RequestHead? head, ReadOnlySpan<byte> value)
    {
        // §8.3.1: non-empty; origin-form, or '*' for OPTIONS (checked once the method is known).
        if (value.IsEmpty || (value[0] != '/' && !(value.Length == 1 && value[0] == '*')) || value.IndexOfAnyExcept(HttpCharacters.Target) >= 0)
        {
            _malformed = "an invalid :path";
            return;
        }
        if (value[0] == '*') _seen |= FieldsSeen.Asterisk;
        int question = value.IndexOf((byte)'?');
        var path = question < 0 ? value : value[..question];
        // As over HTTP/1.1: a backslash or an encoded NUL in the path is refused before routing.
        if (path.Contains((byte)'\\') || path.IndexOf("%00"u8) >= 0) _badPath = true;
        if (head is null) return;
        int start = head.Append(value);
        head.TargetRange = (start, value.Length);
        head.TargetForm = value[0] == '*' ? RequestTargetForm.Asterisk : RequestTargetForm.Origin;
        head.PathRange = (start, path.Length);
        head.QueryRange = question < 0 ? (start + value.Length, 0) : (start + question + 1, value.Length - question - 1);
    }

    /// <summary>§8.2.1: lowercase token characters only.</summary>
    private static bool IsValidFieldName(ReadOnlySpan<byte> name)
    {
        if (name.IndexOfAnyExcept(HttpCharacters.Token) >= 0) return false;
        return name.IndexOfAnyInRange((byte)'A', (byte)'Z') < 0;
    }

    /// <summary>§8.2.1: no NUL, CR or LF, and no whitespace at either end.</summary>
    private static bool IsValidFieldValue(ReadOnlySpan<byte> value)
    {
        if (value.IndexOfAny((byte)0, (byte)'\r', (byte)'\n') >= 0) return false;
        return value.IsEmpty || (!HttpCharacters.IsWhitespace(value[0]) && !HttpCharacters.IsWhitespace(value[^1]));
    }

    /// <summary>§8.2.2: fields that only mean something to an HTTP/1.1 connection.</summary>
    private static bool IsConnectionSpecific(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("connection"u8) || name.SequenceEqual("keep-alive"u8) || name.SequenceEqual("proxy-connection"u8)
        || name.SequenceEqual("transfer-encoding"u8) || name.SequenceEqual("upgrade"u8);

    private static bool TryParseLength(ReadOnlySpan<byte> value, out long length)
    {
        length = 0;
        if (value.IsEmpty || value.Length > 18) return false;
        foreach (byte b in value)
        {
            if (!HttpCharacters.IsDigit(b)) return false;
            length = length * 10 + (b - '0');
        }
        return true;
    }

    private static string MethodName(ReadOnlySpan<byte> method) => method switch
    {
        _ when method.SequenceEqual("GET"u8) => "GET",
        _ when method.SequenceEqual("POST"u8) => "POST",
        _ when method.SequenceEqual("HEAD"u8) => "HEAD",
        _ when method.SequenceEqual("PUT"u8) => "PUT",
        _ when method.SequenceEqual("DELETE"u8) => "DELETE",
        _ when method.SequenceEqual("OPTIONS"u8) => "OPTIONS",
        _ when method.SequenceEqual("PATCH"u8) => "PATCH",
        _ when method.SequenceEqual("CONNECT"u8) => "CONNECT",
        _ when method.SequenceEqual("TRACE"u8) => "TRACE",
        _ => Encoding.ASCII.GetString(method),
    };

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.Latin1.GetString(bytes[..Math.Min(bytes.Length, 64)]);
        return new string(text.Select(c => c is >= ' ' and < (char)127 ? c : '?').ToArray());
    }
}
