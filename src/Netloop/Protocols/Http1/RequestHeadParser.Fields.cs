using Netloop.Http;

namespace Netloop.Protocols.Http1;

/// <summary>The fields the server acts on itself: framing (Content-Length, Transfer-Encoding), Host, Connection, Expect.</summary>
internal sealed partial class RequestHeadParser
{
    [Flags]
    private enum Seen : byte
    {
        None = 0,
        ContentLength = 1,
        TransferEncoding = 2,
        TransferCodingLastIsChunked = 4,
        TransferCodingUnknown = 8,
        ConnectionClose = 16,
        ConnectionKeepAlive = 32,
        ConnectionUpgrade = 64,
        ExpectContinue = 128,
    }

    /// <summary>Acts on one complete field line; a rejection is decided as soon as the field that causes it arrives.</summary>
    private bool OnField(ReadOnlySpan<byte> data, ByteRange nameRange, ByteRange valueRange)
    {
        var name = nameRange.Of(data);
        var value = valueRange.Of(data);
        // The length picks the one candidate name, so most fields cost one switch and no comparison.
        switch (name.Length)
        {
            case 4 when NameEquals(name, "host"u8):
                // RFC 9112 §3.2: 400 for more than one Host or an invalid Host value.
                if (++_hostCount > 1) return Reject(RequestRejection.MultipleHost);
                if (!HttpCharacters.IsValidAuthority(value, requireHost: false, requirePort: false)) return Reject(RequestRejection.InvalidHost);
                // RFC 9112 §3.3: for origin-form and asterisk-form the target URI's authority is the Host value, and an
                // http URI with an empty host is invalid (RFC 9110 §4.2.1: a recipient MUST reject it). The other forms
                // carry their authority in the target and Host is ignored (§3.2.2), so an empty one may stand there.
                if (_targetForm is RequestTargetForm.Origin or RequestTargetForm.Asterisk && (value.IsEmpty || value[0] == ':'))
                {
                    return Reject(RequestRejection.EmptyHost);
                }
                _hostRange = valueRange;
                return true;
            case 6 when NameEquals(name, "expect"u8):
                // RFC 9110 §10.1.1: a server MUST ignore a 100-continue expectation in an HTTP/1.0 request.
                if (_version == HttpVersion.Http11 && CommaList.Contains(value, "100-continue"u8)) _seen |= Seen.ExpectContinue;
                return true;
            case 10 when NameEquals(name, "connection"u8):
                foreach (var option in new CommaList(value))
                {
                    if (NameEquals(option, "close"u8)) _seen |= Seen.ConnectionClose;
                    else if (NameEquals(option, "keep-alive"u8)) _seen |= Seen.ConnectionKeepAlive;
                    else if (NameEquals(option, "upgrade"u8)) _seen |= Seen.ConnectionUpgrade;
                }
                return true;
            case 14 when NameEquals(name, "content-length"u8):
                return OnContentLength(value);
            case 17 when NameEquals(name, "transfer-encoding"u8):
                return OnTransferEncoding(value);
            default:
                return true;
        }
    }

    private bool OnContentLength(ReadOnlySpan<byte> value)
    {
        // RFC 9112 §6.3: with both framings a server MAY reject, and should then close; rejecting leaves no room for a
        // proxy in front to have chosen the other one.
        if ((_seen & Seen.TransferEncoding) != 0) return Reject(RequestRejection.ContentLengthAndTransferEncoding);
        // Policy for repeats (RFC 9110 §8.6): identical values, in separate field lines or as a comma list ("42, 42"),
        // are accepted as that one value; differing values are rejected. Each element must be 1*DIGIT: no sign, no
        // inner spaces, no empty element, no overflow of a 64-bit count.
        long length = -1;
        int i = 0;
        while (true)
        {
            while (i < value.Length && HttpCharacters.IsWhitespace(value[i])) i++;
            int digitsStart = i;
            long element = 0;
            for (; i < value.Length && HttpCharacters.IsDigit(value[i]); i++)
            {
                int digit = value[i] - '0';
                if (element > (long.MaxValue - digit) / 10) return Reject(RequestRejection.InvalidContentLength);
                element = (element * 10) + digit;
            }
            if (i == digitsStart) return Reject(RequestRejection.InvalidContentLength);
            while (i < value.Length && HttpCharacters.IsWhitespace(value[i])) i++;
            if (length >= 0 && element != length) return Reject(RequestRejection.MultipleContentLength);
            length = element;
            if (i == value.Length) break;
            if (value[i] != ',') return Reject(RequestRejection.InvalidContentLength);
            i++;
        }
        if ((_seen & Seen.ContentLength) != 0 && length != _contentLength) return Reject(RequestRejection.MultipleContentLength);
        _contentLength = length;
        _seen |= Seen.ContentLength;
        return true;
    }

    private bool OnTransferEncoding(ReadOnlySpan<byte> value)
    {
        // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing; the message must not be trusted.
        if (_version == HttpVersion.Http10) return Reject(RequestRejection.TransferEncodingInHttp10);
        if ((_seen & Seen.ContentLength) != 0) return Reject(RequestRejection.ContentLengthAndTransferEncoding);
        _seen |= Seen.TransferEncoding;
        // The codings of every Transfer-Encoding line form one list, in order. Only a list of exactly one "chunked"
        // (case-insensitive, RFC 9112 §7) is accepted; anything else ends in a rejection at the end of the head, so
        // the list splitter needs no quoted-string support (a quoted comma can only turn one bad element into two).
        foreach (var coding in new CommaList(value))
        {
            if (NameEquals(coding, "chunked"u8))
            {
                // RFC 9112 §6.1: a sender MUST NOT apply chunked more than once.
                if (++_chunkedCount > 1) return Reject(RequestRejection.DuplicateChunkedCoding);
                _seen |= Seen.TransferCodingLastIsChunked;
            }
            else
            {
                _seen = (_seen & ~Seen.TransferCodingLastIsChunked) | Seen.TransferCodingUnknown;
            }
        }
        return true;
    }

    /// <summary>The empty line arrived: the checks that need the whole header section.</summary>
    private bool Finish()
    {
        // RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request without Host.
        if (_version == HttpVersion.Http11 && _hostCount == 0) return Reject(RequestRejection.MissingHost);
        if ((_seen & Seen.TransferEncoding) != 0)
        {
            // RFC 9112 §6.3: chunked not final in a request means the length cannot be determined: 400 and close.
            if ((_seen & Seen.TransferCodingLastIsChunked) == 0) return Reject(RequestRejection.FinalTransferCodingNotChunked);
            // RFC 9112 §6.1: a transfer coding the server does not understand SHOULD get 501.
            if ((_seen & Seen.TransferCodingUnknown) != 0) return Reject(RequestRejection.UnsupportedTransferCoding);
        }
        _stage = Stage.Complete;
        return false;
    }
}
