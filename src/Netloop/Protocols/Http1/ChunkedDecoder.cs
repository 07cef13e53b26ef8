using System.Runtime.CompilerServices;
using Netloop.Http;

namespace Netloop.Protocols.Http1;

/// <summary>
/// Decodes a chunked request body (RFC 9112 §7.1) in place: a state machine that can stop and resume at any byte,
/// consumes framing as it goes and hands back each run of body bytes as a range of the input, without copying.
/// </summary>
/// <remarks>
/// <para>
/// A mutable struct: keep it in a field that is not <see langword="readonly"/> and call it through that field, or the
/// calls change a copy. <see langword="default"/> is not usable; construct it with the limits.
/// </para>
/// <para>
/// Strict like <see cref="RequestHeadParser"/>: every line ends with CRLF (bare CR and bare LF are rejected, in the size
/// line, after chunk data and in trailers); chunk extensions must follow <c>*( BWS ";" BWS name [ BWS "=" BWS value ] )</c>
/// exactly (RFC 9112 §7.1.1) and are ignored; trailer fields get the header field syntax checks and are ignored.
/// </para>
/// </remarks>
[SkipLocalsInit]
internal struct ChunkedDecoder
{
    private enum State : byte
    {
        SizeStart,
        Size,
        BwsBeforeSemicolon,
        ExtensionNameStart,
        ExtensionName,
        AfterExtensionName,
        ExtensionValueStart,
        ExtensionValue,
        QuotedValue,
        QuotedPair,
        AfterQuotedValue,
        SizeLineFeed,
        Data,
        DataCarriageReturn,
        DataLineFeed,
        TrailerLineStart,
        TrailerName,
        TrailerValue,
        TrailerLineFeed,
        TrailerEndLineFeed,
        Done,
        Rejected,
    }

    private readonly long _maxBodySize; // -1: unlimited
    private readonly int _maxSizeLine;
    private readonly int _maxTrailer;
    private State _state;
    private long _chunkSize; // the size being read, then the bytes of the chunk still to come
    private long _bodyLength;
    private int _lineLength;
    private int _trailerLength;
    private RequestRejection _rejection;

    /// <summary>Creates a decoder with the body, chunk-size line and trailer limits of <paramref name="limits"/>.</summary>
    public ChunkedDecoder(HttpLimits limits)
        : this((limits ?? throw new ArgumentNullException(nameof(limits))).MaxRequestBodySize, limits.MaxChunkExtensionLength, limits.MaxTrailerSize)
    {
    }

    /// <summary>Creates a decoder; <paramref name="maxBodySize"/> null means unlimited (the connection may change it per request).</summary>
    public ChunkedDecoder(long? maxBodySize, int maxChunkSizeLineLength, int maxTrailerSize)
    {
        if (maxBodySize is { } max) ArgumentOutOfRangeException.ThrowIfNegative(max);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkSizeLineLength, 3); // "0" CR LF
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTrailerSize, 2); // CR LF
        _maxBodySize = maxBodySize ?? -1;
        _maxSizeLine = maxChunkSizeLineLength;
        _maxTrailer = maxTrailerSize;
        Reset();
    }

    /// <summary>Body bytes decoded so far (chunk data only, no framing).</summary>
    public readonly long BodyLength => _bodyLength;

    /// <summary>Whether the whole body, trailers included, has been decoded.</summary>
    public readonly bool IsDone => _state == State.Done;

    /// <summary>Why the body was rejected, or <see cref="RequestRejection.None"/>.</summary>
    public readonly RequestRejection Rejection => _rejection;

    /// <summary>Readies the decoder for the next body, with the same limits.</summary>
    public void Reset()
    {
        _state = State.SizeStart;
        _chunkSize = 0;
        _bodyLength = 0;
        _lineLength = 0;
        _trailerLength = 0;
        _rejection = RequestRejection.None;
    }

    /// <summary>
    /// Decodes from the start of <paramref name="input"/>, which begins where the previous call's
    /// <paramref name="consumed"/> ended. Returns <see cref="ChunkedStatus.Data"/> with the body bytes at
    /// <c>input.Slice(dataOffset, dataLength)</c> and <paramref name="consumed"/> = <c>dataOffset + dataLength</c>;
    /// <see cref="ChunkedStatus.NeedMoreData"/> having consumed everything; <see cref="ChunkedStatus.Done"/> having consumed
    /// the rest of the body only; or <see cref="ChunkedStatus.Rejected"/>. At most one data range per call.
    /// </summary>
    public ChunkedStatus Decode(ReadOnlySpan<byte> input, out int consumed, out int dataOffset, out int dataLength)
    {
        dataOffset = 0;
        dataLength = 0;
        if (_state == State.Done || _state == State.Rejected)
        {
            consumed = 0;
            return _state == State.Done ? ChunkedStatus.Done : ChunkedStatus.Rejected;
        }
        int i = 0;
        while (i < input.Length)
        {
            if (_state == State.Data)
            {
                int n = (int)Math.Min(_chunkSize, input.Length - i);
                _chunkSize -= n;
                _bodyLength += n;
                if (_chunkSize == 0) _state = State.DataCarriageReturn;
                dataOffset = i;
                dataLength = n;
                consumed = i + n;
                return ChunkedStatus.Data;
            }
            byte b = input[i++];
            if (!Step(b))
            {
                consumed = i;
                return _state == State.Done ? ChunkedStatus.Done : ChunkedStatus.Rejected;
            }
        }
        consumed = input.Length;
        return ChunkedStatus.NeedMoreData;
    }

    /// <summary>Takes one framing byte. Returns false when the body is done or rejected.</summary>
    private bool Step(byte b)
    {
        if (_state < State.Data)
        {
            if (++_lineLength > _maxSizeLine) return Reject(RequestRejection.ChunkExtensionTooLong);
        }
        else if (_state >= State.TrailerLineStart)
        {
            if (++_trailerLength > _maxTrailer) return Reject(RequestRejection.TrailerTooLarge);
        }

        switch (_state)
        {
            case State.SizeStart:
                return HttpCharacters.HexValue(b) >= 0 ? AddSizeDigit(b) : Invalid();
            case State.Size:
                if (HttpCharacters.HexValue(b) >= 0) return AddSizeDigit(b);
                // Refused once the size is complete (its data not yet read) when it would take the body over the
                // limit; not earlier, so that a size too large to count is told apart as malformed (400, not 413).
                if (_maxBodySize >= 0 && _chunkSize > _maxBodySize - _bodyLength) return Reject(RequestRejection.BodyTooLarge);
                return AfterSizeOrValue(b);
            case State.BwsBeforeSemicolon:
                // BWS may only lead to ';': "5 \r\n" is not chunk-size [ chunk-ext ] CRLF.
                if (HttpCharacters.IsWhitespace(b)) return true;
                return b == ';' ? Go(State.ExtensionNameStart) : Invalid();
            case State.ExtensionNameStart:
                if (HttpCharacters.IsWhitespace(b)) return true;
                return HttpCharacters.IsToken(b) ? Go(State.ExtensionName) : Invalid();
            case State.ExtensionName:
                if (HttpCharacters.IsToken(b)) return true;
                if (HttpCharacters.IsWhitespace(b)) return Go(State.AfterExtensionName);
                return b switch
                {
                    (byte)'=' => Go(State.ExtensionValueStart),
                    (byte)';' => Go(State.ExtensionNameStart),
                    (byte)'\r' => Go(State.SizeLineFeed),
                    _ => Invalid(),
                };
            case State.AfterExtensionName:
                if (HttpCharacters.IsWhitespace(b)) return true;
                return b switch
                {
                    (byte)'=' => Go(State.ExtensionValueStart),
                    (byte)';' => Go(State.ExtensionNameStart),
                    _ => Invalid(),
                };
            case State.ExtensionValueStart:
                if (HttpCharacters.IsWhitespace(b)) return true;
                if (b == '"') return Go(State.QuotedValue);
                return HttpCharacters.IsToken(b) ? Go(State.ExtensionValue) : Invalid();
            case State.ExtensionValue:
                if (HttpCharacters.IsToken(b)) return true;
                return AfterSizeOrValue(b);
            case State.QuotedValue:
                // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text (RFC 9110 §5.6.4)
                if (b == '"') return Go(State.AfterQuotedValue);
                if (b == '\\') return Go(State.QuotedPair);
                return HttpCharacters.IsFieldValueByte(b) ? true : Invalid();
            case State.QuotedPair:
                return HttpCharacters.IsFieldValueByte(b) ? Go(State.QuotedValue) : Invalid();
            case State.AfterQuotedValue:
                return AfterSizeOrValue(b);
            case State.SizeLineFeed:
                if (b != '\n') return Invalid();
                _lineLength = 0;
                return Go(_chunkSize == 0 ? State.TrailerLineStart : State.Data);
            case State.DataCarriageReturn:
                return b == '\r' ? Go(State.DataLineFeed) : Invalid();
            case State.DataLineFeed:
                return b == '\n' ? Go(State.SizeStart) : Invalid();
            case State.TrailerLineStart:
                // The same field syntax as the header section; obs-fold and bare line ends rejected alike.
                if (b == '\r') return Go(State.TrailerEndLineFeed);
                return HttpCharacters.IsToken(b) ? Go(State.TrailerName) : Invalid();
            case State.TrailerName:
                if (HttpCharacters.IsToken(b)) return true;
                return b == ':' ? Go(State.TrailerValue) : Invalid();
            case State.TrailerValue:
                if (b == '\r') return Go(State.TrailerLineFeed);
                return HttpCharacters.IsFieldValueByte(b) ? true : Invalid();
            case State.TrailerLineFeed:
                return b == '\n' ? Go(State.TrailerLineStart) : Invalid();
            case State.TrailerEndLineFeed:
                if (b != '\n') return Invalid();
                _state = State.Done;
                return false;
            default:
                return Invalid();
        }
    }

    /// <summary>After the size digits, an extension value or a quoted value: BWS, ';' or the line's CR.</summary>
    private bool AfterSizeOrValue(byte b)
    {
        if (HttpCharacters.IsWhitespace(b)) return Go(State.BwsBeforeSemicolon);
        return b switch
        {
            (byte)';' => Go(State.ExtensionNameStart),
            (byte)'\r' => Go(State.SizeLineFeed),
            _ => Invalid(),
        };
    }

    private bool AddSizeDigit(byte b)
    {
        int digit = HttpCharacters.HexValue(b);
        // RFC 9112 §7.1: a recipient MUST anticipate large hex numbers and guard against overflow. A size that does not
        // fit is framing no sender could mean, whatever the body limit: 400 (leading zeros are fine, they add nothing).
        if (_chunkSize > (long.MaxValue - digit) >> 4) return Reject(RequestRejection.ChunkSizeOverflow);
        _chunkSize = (_chunkSize << 4) + digit;
        _state = State.Size;
        return true;
    }

    private bool Go(State state)
    {
        _state = state;
        return true;
    }

    private bool Invalid() => Reject(RequestRejection.InvalidChunkedData);

    private bool Reject(RequestRejection rejection)
    {
        _rejection = rejection;
        _state = State.Rejected;
        return false;
    }
}
