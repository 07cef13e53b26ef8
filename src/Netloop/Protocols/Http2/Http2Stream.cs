using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Netloop.Http;
using Netloop.Protocols.Http1;

namespace Netloop.Protocols.Http2;

/// <summary>
/// One HTTP/2 stream: a request with its <see cref="HttpContext"/>, run through the application exactly as an HTTP/1.1
/// request is, and its response written as HEADERS and DATA frames. Pooled per loop with its context, so a stream costs
/// no allocation in steady state. Its response side is in <c>Http2Stream.Response.cs</c>.
/// </summary>
internal sealed partial class Http2Stream : IHttpExchange
{
    private Http2Connection? _owner;
    private HttpContext _context = null!;
    private long _generation;
    private Http2StreamSynchronizationContext? _synchronizationContext;

    // Request body accounting. The connection window is owed every byte buffered for the handler until it is read (or
    // thrown away when the stream ends); the stream window gets back what was read, and padding, in batches.
    private long _declaredLength;
    private long _bodyReceived;
    private long _connectionDebt;
    private long _releasedCredited;
    private int _streamCreditDue;
    private bool _bodyFailed;
    private bool _aborted;

    public int Id { get; private set; }

    public HttpContext Context => _context;

    /// <summary>What this side may still send on the stream (§6.9.1); may go negative after a SETTINGS change (§6.9.2).</summary>
    public long SendWindow { get; set; }

    /// <summary>What the client may still send on the stream.</summary>
    public int ReceiveWindow { get; set; }

    /// <summary>The client sent END_STREAM (or the stream was reset): it sends nothing more.</summary>
    public bool RemoteClosed { get; set; }

    /// <summary>This side sent END_STREAM (or the stream was reset).</summary>
    public bool LocalClosed { get; set; }

    public bool HandlerRunning { get; private set; }

    /// <summary>The stream left the connection's table while its handler still ran.</summary>
    public bool Detached { get; set; }

    /// <summary>Since when the stream's send window has been closed with DATA waiting, or long.MaxValue.</summary>
    public long StalledSinceMs { get; set; } = long.MaxValue;

    internal long Generation => _generation;

    internal Http2Connection? Owner => _owner;

    /// <summary>True while <paramref name="generation"/> is this stream's request and its handler still runs.</summary>
    internal bool AcceptsWorkOf(long generation) => generation == _generation && HandlerRunning && _owner is not null;

    public void Open(Http2Connection owner, int id, int sendWindow, int receiveWindow) =>
        OpenWith(owner, id, sendWindow, receiveWindow, Http1ObjectPool.Current.RentContext());

    public void OpenWith(Http2Connection owner, int id, int sendWindow, int receiveWindow, HttpContext context)
    {
        _owner = owner;
        _context = context;
        Id = id;
        SendWindow = sendWindow;
        ReceiveWindow = receiveWindow;
        RemoteClosed = false;
        LocalClosed = false;
        HandlerRunning = false;
        Detached = false;
        StalledSinceMs = long.MaxValue;
        _declaredLength = -1;
        _bodyReceived = 0;
        _connectionDebt = 0;
        _releasedCredited = 0;
        _streamCreditDue = 0;
        _bodyFailed = false;
        _aborted = false;
        ExpectsContinue = false;
        _generation++;
        ResetResponse();
    }

    /// <summary>Gives the stream and its context back to the loop's pool.</summary>
    public void Release()
    {
        DropPending();
        if (_context is not null)
        {
            Http1ObjectPool.Current.Return(_context);
            _context = null!;
        }
        _owner = null;
        // The synchronization context stays with the pooled stream: the next request binds it to its generation.
        Http2StreamPool.Current.Return(this);
    }

    /// <summary>The head is in: set up the request and run the application.</summary>
    public void Start(long declaredLength, bool hasBody)
    {
        var owner = _owner!;
        var context = _context;
        _declaredLength = declaredLength;
        context.Request.Reset();
        context.Request.Connection = owner.Transport;
        context.Response.Reset(this, owner.Factory.Json);
        context.Route.Clear();
        context.ResetAborted();
        context.Request.Body.Reset(this, hasBody);
        InvokeApplication();
    }

    /// <summary>Answers 429 (the per-IP rate limit) without running the application, then closes the stream.</summary>
    public void RefuseTooManyRequests(Transport.PerIp.RequestAdmission refusal)
    {
        var context = _context;
        context.Request.Reset();
        context.Response.Reset(this, _owner!.Factory.Json);
        context.Request.Body.Reset(this, hasBody: false);
        TooManyRequests.Write(context.Response, refusal);
        WriteResponse();
    }

    /// <summary>Answers without running the application (431, 413, 400 found in the head), then closes the stream.</summary>
    public void Refuse(int status, string body)
    {
        var context = _context;
        context.Request.Reset();
        context.Response.Reset(this, _owner!.Factory.Json);
        context.Request.Body.Reset(this, hasBody: false);
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.WriteText(body);
        WriteResponse();
    }

    /// <summary>DATA arrived for the request body.</summary>
    public BodyReceipt ReceiveBody(ReadOnlySpan<byte> data)
    {
        if (LocalClosed || _bodyFailed) return BodyReceipt.Discarded;
        _bodyReceived += data.Length;
        if (_declaredLength >= 0 && _bodyReceived > _declaredLength) return BodyReceipt.LengthExceeded;
        if (_owner!.Factory.Limits.MaxRequestBodySize is { } max && _bodyReceived > max) return BodyReceipt.TooLarge;
        // Owed before it is appended: a pending read takes the bytes at once and credits them back in the same call.
        _connectionDebt += data.Length;
        _context.Request.Body.Append(data);
        return BodyReceipt.Accepted;
    }

    /// <summary>True when no content-length was announced or the DATA received matched it (§8.1.1).</summary>
    public bool BodyLengthMatches => _declaredLength < 0 || _bodyReceived == _declaredLength;

    public void CompleteBody()
    {
        if (!_bodyFailed) _context.Request.Body.Complete();
    }

    /// <summary>The body went past the size limit: 413 if nothing was sent yet, otherwise the stream is cut.</summary>
    public void RejectBody(int status)
    {
        _bodyFailed = true;
        _context.Request.Body.Fail(new BadHttpRequestException(RequestRejection.BodyTooLarge));
        if (!HandlerRunning && !_context.Response.HasStarted) Refuse(status, "Payload Too Large\n");
    }

    /// <summary>Padding counts against the stream window but is never read: it goes back with the stream's next credit.</summary>
    public void CreditPadding(int bytes)
    {
        _streamCreditDue += bytes;
        CreditStreamIfDue();
    }

    /// <summary>The stream ends (completed, reset or removed): what its unread body still holds of the connection window, now given back.</summary>
    public long DiscardBody()
    {
        long debt = _connectionDebt;
        _connectionDebt = 0;
        _streamCreditDue = 0;
        return debt;
    }

    /// <summary>The client sent <c>expect: 100-continue</c> and waits for the interim response before the body.</summary>
    internal bool ExpectsContinue { get; set; }

    /// <summary>The handler asked for the body: a client waiting on <c>100-continue</c> is told to send it (once, and not after the response began).</summary>
    void IHttpExchange.OnBodyRequested()
    {
        if (ExpectsContinue) RunOnTurn(static stream => stream.SendContinue());
    }

    private void SendContinue()
    {
        if (!ExpectsContinue) return;
        ExpectsContinue = false;
        if (RemoteClosed || LocalClosed || _context.Response.HasStarted) return;
        _owner!.WriteContinue(this);
    }

    void IHttpExchange.OnBodyConsumed() => RunOnTurn(static stream => stream.CreditConsumed());

    /// <summary>
    /// Runs <paramref name="work"/> on the connection's turn: now when a handler calls on it, else (a handler on another
    /// thread) posted to the next turn, and dropped there if the stream ended or was reused for another request meanwhile.
    /// </summary>
    private void RunOnTurn(Action<Http2Stream> work)
    {
        var owner = _owner;
        if (owner is null) return;
        if (owner.OnTurn)
        {
            work(this);
            return;
        }
        long generation = _generation;
        owner.PostTurn(static (o, s) =>
        {
            var (stream, gen, work) = s;
            if (stream._generation == gen && ReferenceEquals(stream._owner, o)) work(stream);
        }, (this, generation, work));
    }

    /// <summary>Reopens the windows by what the handler has read (or the body buffer took off the protocol's hands).</summary>
    private void CreditConsumed()
    {
        var owner = _owner!;
        long released = _context.Request.Body.Released - _releasedCredited;
        if (released <= 0) return;
        _releasedCredited += released;
        // Each byte is given back to the connection once: not again after the stream ended and paid what it owed.
        long owed = Math.Min(released, _connectionDebt);
        _connectionDebt -= owed;
        owner.CreditConnection(owed);
        // After END_STREAM the client sends nothing more on the stream: its window no longer matters.
        if (RemoteClosed) return;
        _streamCreditDue = (int)Math.Min(int.MaxValue, _streamCreditDue + released);
        CreditStreamIfDue();
    }

    /// <summary>Sends the stream a WINDOW_UPDATE once enough has gathered to be worth a frame (half its window).</summary>
    private void CreditStreamIfDue()
    {
        if (RemoteClosed || _streamCreditDue < _owner!.StreamWindowUpdateThreshold) return;
        int credit = _streamCreditDue;
        _streamCreditDue = 0;
        _owner.CreditStream(this, credit);
    }

    /// <summary>The stream was reset or its connection closed: the handler is told, nothing more is sent.</summary>
    public void Abort(Exception reason)
    {
        _aborted = true;
        RemoteClosed = true;
        LocalClosed = true;
        DropPending();
        var context = _context;
        if (context is null) return;
        context.Request.Body.Fail(reason);
        if (HandlerRunning) context.AbortRequest();
    }

    private void InvokeApplication()
    {
        var owner = _owner!;
        var context = _context;
        var loopContext = _synchronizationContext ??= new Http2StreamSynchronizationContext(this);
        loopContext.Bind(_generation);
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(loopContext);
        HandlerRunning = true;
        ValueTask pending;
        try
        {
            pending = owner.Factory.Application(context);
        }
        catch (Exception e)
        {
            SynchronizationContext.SetSynchronizationContext(previous);
            HandlerRunning = false;
            HandlerFailed(e);
            HandlerDone();
            return;
        }
        if (pending.IsCompletedSuccessfully)
        {
            SynchronizationContext.SetSynchronizationContext(previous);
            pending.GetAwaiter().GetResult();
            HandlerRunning = false;
            HandlerDone();
            return;
        }
        _ = AwaitApplicationAsync(pending);
        SynchronizationContext.SetSynchronizationContext(previous);
    }

    private async Task AwaitApplicationAsync(ValueTask pending)
    {
        Exception? failure = null;
        try
        {
            await pending;
        }
        catch (Exception e)
        {
            failure = e;
        }
        HandlerRunning = false;
        // Late continuations of this request keep its context: the next request of this pooled stream binds a new one.
        _synchronizationContext = null;
        if (failure is not null) HandlerFailed(failure);
        HandlerDone();
    }

    /// <summary>The handler finished (on the connection's thread): write the response unless the stream is gone.</summary>
    private void HandlerDone()
    {
        var owner = _owner;
        if (owner is null) return;
        if (Detached)
        {
            owner.OnDetachedHandlerDone(this);
            return;
        }
        if (LocalClosed) return;
        WriteResponse();
    }

    private void HandlerFailed(Exception e)
    {
        var owner = _owner;
        var logger = owner?.Factory.Logger;
        bool clientError = IsClientError(e);
        if (clientError)
        {
            logger?.LogDebug("HTTP/2 stream {Stream}: request ended by the client: {Reason}", Id, e.Message);
        }
        else
        {
            logger?.LogError(e, "request handler failed: {Method} {Path}", _context?.Request.Method, _context is null ? "" : System.Text.Encoding.ASCII.GetString(_context.Request.RawPath));
        }
        if (owner is null || LocalClosed || Detached || _context is null) return;
        var response = _context.Response;
        if (response.HasStarted)
        {
            // Part of the response is out: the honest end is to reset the stream (the connection goes on).
            owner.ResetAfterFailure(this);
            return;
        }
        response.ClearBufferedBody();
        response.Headers.Clear();
        response.ContentType = "text/plain; charset=utf-8";
        response.StatusCode = clientError ? 400 : 500;
        response.Write(clientError ? "Bad Request\n"u8 : "Internal Server Error\n"u8);
    }

    private bool IsClientError(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is BadHttpRequestException or ClientDisconnectedException) return true;
            if (inner is OperationCanceledException canceled && _context?.IsAbortToken(canceled.CancellationToken) == true) return true;
        }
        return false;
    }

    SynchronizationContext IHttpExchange.LoopContext => _synchronizationContext ??= new Http2StreamSynchronizationContext(this);
}
