using Netloop.Http;

namespace Netloop.Protocols.Http1;

/// <summary>
/// The request body: framed by Content-Length or chunked coding (RFC 9112 §6), handed to the application through a
/// bounded buffer (input is suspended while it is full), and drained after the handler if it did not read it all,
/// so the next pipelined request is never parsed out of the middle of a body.
/// </summary>
internal sealed partial class Http1Connection
{
    /// <summary>Body bytes the server will read and discard after a handler that ignored them, before it prefers to close.</summary>
    private const long DrainLimit = 256 * 1024;

    private RequestBodyStream _body = null!;
    private ChunkedDecoder _chunked;
    // The framing of this request's body (RFC 9112 §6.1–6.3): chunked, or Content-Length with _bodyRemaining left.
    private bool _bodyChunked;
    private long _bodyRemaining;
    private long _bodyReceived;
    private long _drained;

    private void ResetBody()
    {
        _body = null!;
        _chunked = default;
        _bodyState = BodyState.Complete; // a pooled object starts over: not a transition
        _bodyChunked = false;
        _bodyRemaining = 0;
        _bodyReceived = 0;
        _drained = 0;
    }

    private void StartBody(RequestBodyStream body, bool hasBody, bool chunked, long contentLength, bool expectContinue)
    {
        _body = body;
        body.Reset(this, hasBody);
        _bodyChunked = chunked;
        _bodyRemaining = chunked ? 0 : Math.Max(0, contentLength);
        _bodyReceived = 0;
        _drained = 0;
        if (chunked) _chunked = new ChunkedDecoder(Limits);
        if (!hasBody)
        {
            _bodyState = BodyState.Complete;
            return;
        }
        MoveTo(expectContinue ? BodyState.AwaitingContinue : BodyState.Receiving);
        StartBodyRateTimer();
    }

    /// <summary>Takes body bytes from the front of <paramref name="data"/>; returns how many it consumed.</summary>
    private int FeedBody(ReadOnlySpan<byte> data)
    {
        if (_bodyState is BodyState.Complete or BodyState.Failed || data.IsEmpty) return 0;
        if (!_bodyChunked)
        {
            if (_bodyState != BodyState.Draining && _body.Room <= 0)
            {
                SuspendForBody();
                return 0;
            }
            int take = (int)Math.Min(data.Length, _bodyRemaining);
            if (!Accept(data[..take])) return data.Length;
            _bodyRemaining -= take;
            if (_bodyRemaining == 0) CompleteBody();
            return take;
        }

        int consumed = 0;
        while (consumed < data.Length && BodyIncomplete)
        {
            if (_bodyState != BodyState.Draining && _body.Room <= 0)
            {
                SuspendForBody();
                break;
            }
            var status = _chunked.Decode(data[consumed..], out int used, out int dataOffset, out int dataLength);
            if (dataLength > 0 && !Accept(data.Slice(consumed + dataOffset, dataLength))) return data.Length;
            consumed += used;
            if (status == ChunkedStatus.Done)
            {
                CompleteBody();
            }
            else if (status == ChunkedStatus.Rejected)
            {
                RejectBody(_chunked.Rejection);
                return data.Length;
            }
            else if (status == ChunkedStatus.NeedMoreData)
            {
                break;
            }
        }
        return consumed;
    }

    /// <summary>Counts body bytes against the limits and buffers them (or drops them while draining); false when the connection was closed.</summary>
    private bool Accept(ReadOnlySpan<byte> bytes)
    {
        _bodyReceived += bytes.Length;
        if (_bodyReceived > Limits.MaxRequestBodySize)
        {
            RejectBody(RequestRejection.BodyTooLarge);
            return false;
        }
        if (_bodyState == BodyState.Draining)
        {
            _drained += bytes.Length;
            if (_drained > DrainLimit)
            {
                CloseConnection();
                return false;
            }
            return true;
        }
        _body.Append(bytes);
        return true;
    }

    private void CompleteBody()
    {
        bool wasSuspended = _bodyState == BodyState.Suspended;
        MoveTo(BodyState.Complete);
        _body.Complete();
        // The transport still holds what follows the body (maybe the next request): let it through.
        if (wasSuspended) _connection.ResumeInput();
    }

    /// <summary>The body will never end: reads throw <paramref name="error"/>. Nothing to do for a body that is in.</summary>
    private void FailBody(Exception error)
    {
        if (_bodyState is BodyState.Complete or BodyState.Failed) return;
        MoveTo(BodyState.Failed);
        _body.Fail(error);
    }

    /// <summary>The handler finished without the whole body: drain the rest if that is cheap, else say so (the caller closes).</summary>
    private bool StartDraining()
    {
        // A client that sent Expect: 100-continue waits for our word before sending the body; it never got it.
        if (_bodyState is BodyState.AwaitingContinue or BodyState.Failed) return false;
        if (!_bodyChunked && _bodyRemaining > DrainLimit) return false;
        bool wasSuspended = _bodyState == BodyState.Suspended;
        MoveTo(BodyState.Draining);
        if (wasSuspended) _connection.ResumeInput();
        return true;
    }

    private void SuspendForBody()
    {
        if (_bodyState == BodyState.Suspended) return;
        MoveTo(BodyState.Suspended);
        _connection.SuspendInput();
    }

    /// <summary>A malformed or oversized body: answer with the rejection's status if nothing was sent yet, and close.</summary>
    private void RejectBody(RequestRejection rejection)
    {
        FailBody(new BadHttpRequestException(rejection));
        if (_state != RequestState.Answered && _context?.Response.HasStarted != true) Reject(rejection);
        else if (!IsClosing)
        {
            MoveTo(RequestState.Closing);
            _connection.Abort();
        }
    }

    void IHttpExchange.OnBodyRequested()
    {
        if (!OnTurn)
        {
            PostTurn(static self => ((IHttpExchange)self).OnBodyRequested());
            return;
        }
        if (_bodyState != BodyState.AwaitingContinue || IsClosing || _context!.Response.HasStarted) return;
        MoveTo(BodyState.Receiving);
        // RFC 9110 §10.1.1: the interim response tells the client to go on sending the body.
        WriteBytes("HTTP/1.1 100 Continue\r\n\r\n"u8);
        _connection.Flush();
    }

    void IHttpExchange.OnBodyConsumed()
    {
        if (!OnTurn)
        {
            PostTurn(static self => ((IHttpExchange)self).OnBodyConsumed());
            return;
        }
        if (_bodyState == BodyState.Suspended && !IsClosing && _body.Room >= RequestBodyStream.BufferLimit / 2)
        {
            MoveTo(BodyState.Receiving);
            _connection.ResumeInput();
        }
    }
}

/// <summary>A request the server refused while the application was reading its body.</summary>
public sealed class BadHttpRequestException : IOException
{
    internal BadHttpRequestException(RequestRejection rejection)
        : base($"bad request: {RequestRejections.Reason(rejection)}") => Rejection = rejection;

    /// <summary>Why the request was refused.</summary>
    internal RequestRejection Rejection { get; }

    /// <summary>The status code the server answered with.</summary>
    public int StatusCode => RequestRejections.StatusCode(Rejection);
}
