using System.Text;
using Microsoft.Extensions.Logging;
using Netloop.Http;
using Netloop.Transport;
using Netloop.Transport.PerIp;

namespace Netloop.Protocols.Http1;

/// <summary>
/// One HTTP/1.1 connection's state machine: parse a request head, hand the request to the application, feed it the
/// body, write the response, and go on with the next (pipelined) request, in order. Requests are served one at a time
/// per connection (RFC 9112 §9.3.2: responses in request order), so while an async handler runs the connection
/// suspends its input and later requests wait in the transport's buffer.
/// Split by concern: this file is the request cycle, <c>Http1Connection.State.cs</c> the states and their legal
/// transitions, <c>Http1Connection.Body.cs</c> the request body, <c>Http1Connection.Response.cs</c> writing responses,
/// <c>Http1Connection.Timers.cs</c> the timeouts, <c>Http1Connection.Drain.cs</c> the graceful stop.
/// </summary>
internal sealed partial class Http1Connection : IConnectionProtocol, IHttpExchange, IGracefulShutdown
{
    private HttpProtocolFactory _factory;
    // Null while the object waits in the pool (its connection is then served by the idle stand-in).
    private IConnection _connection = null!;
    // Both only while a request is in progress (the parser while a head is arriving); idle, they are back in the
    // thread's Http1ObjectPool.
    private RequestHeadParser? _parser;
    private HttpContext? _context;
    // The context the current (or last) request's handler runs under; see ConnectionSynchronizationContext.
    private ConnectionSynchronizationContext? _synchronizationContext;
    // The request served now, counted over the object's whole life (it survives pooling): the synchronization context
    // compares it with the request it was bound to, so late work of a finished request never runs inside another.
    private long _generation;
    // The application's code runs (or its ValueTask is pending). Apart from the request state: a handler can outlive
    // its connection, and the objects it holds stay with it until it ends.
    private bool _handlerRunning;
    // This request's keep-alive decision (RFC 9112 §9.3): from its head, cleared by errors and close-delimited bodies.
    private bool _keepAlive;
    // The peer half-closed (FIN). Apart from the request state: it can happen at any point of the cycle.
    private bool _inputEnded;

    private int _turnThread;

    public Http1Connection(HttpProtocolFactory factory)
    {
        _factory = factory;
    }

    /// <summary>The protocol served; set again each time the object is rented from the pool.</summary>
    internal HttpProtocolFactory Factory
    {
        get => _factory;
        set => _factory = value;
    }

    /// <summary>The connection served now, or null while the object is parked in the pool.</summary>
    internal IConnection? Connection => _connection;

    private HttpLimits Limits => _factory.Limits;

    SynchronizationContext IHttpExchange.LoopContext => LoopContext;

    private ConnectionSynchronizationContext LoopContext => _synchronizationContext ??= new ConnectionSynchronizationContext(this, _generation);

    /// <summary>The request being served now; see <see cref="_generation"/>.</summary>
    internal long Generation => _generation;

    /// <summary>
    /// True while the request <paramref name="generation"/> is the one in progress and its handler still runs: only then
    /// may work posted through its synchronization context run as a turn of this connection.
    /// </summary>
    internal bool AcceptsWorkOf(long generation) => generation == _generation && _handlerRunning;

    /// <summary>False when called from a thread that is not running one of this connection's turns (handler code after ConfigureAwait(false)).</summary>
    private bool OnTurn => _turnThread == Environment.CurrentManagedThreadId;

    /// <summary>Marks the calling thread as running a turn of this connection (a protocol call or posted work); returns what to restore.</summary>
    internal int EnterTurn()
    {
        int saved = _turnThread;
        _turnThread = Environment.CurrentManagedThreadId;
        return saved;
    }

    /// <summary>Ends a turn; the outermost one gives the object back to the pool when the connection is idle or gone.</summary>
    internal void ExitTurn(int saved)
    {
        _turnThread = saved;
        if (saved == 0) ReleaseIfIdle();
    }

    /// <summary>Takes over <paramref name="connection"/> from the idle stand-in, in the state of a connection between requests.</summary>
    internal void Attach(IConnection connection, bool afterFirstRequest)
    {
        _connection = connection;
        // A pooled object starts over: set directly, not a transition of this connection's cycle.
        _state = afterFirstRequest ? RequestState.AwaitingRequest : RequestState.AwaitingFirstRequest;
        _handlerRunning = false;
        _keepAlive = false;
        _inputEnded = false;
        _turnThread = 0;
        ResetBody();
        ResetResponse();
        ResetTimers();
    }

    /// <summary>
    /// Outside every turn: a connection with no request in progress and nothing pending goes back to the idle
    /// stand-in and this object to the loop's pool (so an idle keep-alive connection holds none of it); a closed
    /// connection whose handler has finished gives it back too.
    /// </summary>
    private void ReleaseIfIdle()
    {
        var connection = _connection;
        if (connection is null) return;
        if (IsClosing)
        {
            // Until OnClosed the transport may still call; a handler still running holds the object (the GC takes it).
            if (_state != RequestState.Closed || _handlerRunning) return;
        }
        else
        {
            if (InRequest || _parser is not null || _context is not null || _inputEnded) return;
            DisarmTimer();
            connection.SwitchProtocol(_state == RequestState.AwaitingRequest ? _factory.BetweenRequests : _factory.Fresh);
        }
        _connection = null!;
        Http1ObjectPool.Current.Return(this);
    }

    /// <summary>Runs <paramref name="action"/> as a turn of this connection, soon, from any thread.</summary>
    private void PostTurn(Action<Http1Connection> action) =>
        _connection.Post(static s =>
        {
            var (self, work) = ((Http1Connection, Action<Http1Connection>))s!;
            int turn = self.EnterTurn();
            try
            {
                work(self);
            }
            finally
            {
                self.ExitTurn(turn);
            }
        }, (this, action));

    public void OnConnected(IConnection connection) => Attach(connection, afterFirstRequest: false);

    public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
    {
        int turn = EnterTurn();
        try
        {
            return Receive(connection, data);
        }
        finally
        {
            ExitTurn(turn);
        }
    }

    private int Receive(IConnection connection, ReadOnlySpan<byte> data)
    {
        int consumed = 0;
        while (!IsClosing)
        {
            if (!InRequest)
            {
                var rest = data[consumed..];
                if (rest.IsEmpty) break;
                if (_state == RequestState.AwaitingFirstRequest)
                {
                    var preface = Http2Preface.Match(rest);
                    if (preface == PrefaceMatch.NeedMore)
                    {
                        // Perhaps the start of the HTTP/2 client preface, perhaps of a request ("P"): either way a
                        // head, held to the request-headers timeout. The rented parser keeps this object (and its
                        // timer) on the connection until the bytes decide; without it a stalled "P" stayed forever.
                        _parser ??= Http1ObjectPool.Current.RentParser(Limits);
                        ArmHeadersTimer();
                        break;
                    }
                    if (preface == PrefaceMatch.IsHttp2)
                    {
                        if (_factory.ServesHttp2) return SwitchToHttp2(connection, rest);
                        RefuseHttp2();
                        return data.Length;
                    }
                }
                var parser = _parser ??= Http1ObjectPool.Current.RentParser(Limits);
                var status = parser.ParseHead(rest);
                if (status == HeadParseStatus.Incomplete)
                {
                    ArmHeadersTimer();
                    break;
                }
                if (status == HeadParseStatus.Rejected)
                {
                    Reject(parser.Rejection);
                    return data.Length;
                }
                DisarmTimer();
                int headLength = parser.HeadLength;
                if (!BeginRequest(rest[..headLength])) return data.Length;
                consumed += headLength;
                if (WantsHttp2Upgrade(_context!.Head))
                {
                    int taken = UpgradeToHttp2(connection, data[consumed..]);
                    if (taken >= 0) return consumed + taken;
                }
                consumed += FeedBody(data[consumed..]);
                if (IsClosing) return data.Length;
                AdmitAndInvokeApplication();
                if (IsClosing) return data.Length;
            }

            if (!_handlerRunning && _state is RequestState.Handling or RequestState.AwaitingHandler)
            {
                AnswerBeforeBodyEnds();
                if (IsClosing) return data.Length;
            }
            if (BodyIncomplete)
            {
                consumed += FeedBody(data[consumed..]);
                if (IsClosing) return data.Length;
                if (BodyIncomplete) break;
            }
            if (_handlerRunning)
            {
                // The body is in; later bytes are the next request, which must wait for this response.
                if (_state == RequestState.Handling)
                {
                    MoveTo(RequestState.AwaitingHandler);
                    connection.SuspendInput();
                }
                break;
            }
            EndRequest();
        }
        if (_inputEnded && !InRequest && !IsClosing) CloseConnection();
        return IsClosing ? data.Length : consumed;
    }

    public void OnInputCompleted(IConnection connection)
    {
        int turn = EnterTurn();
        try
        {
            InputCompleted();
        }
        finally
        {
            ExitTurn(turn);
        }
    }

    private void InputCompleted()
    {
        _inputEnded = true;
        // Mid-request, the response still goes out (then the connection closes); between requests there is nothing to
        // wait for. A half-close is not an abort (RequestAborted stays quiet): the client may still read the answer.
        if (!InRequest || _state == RequestState.Answered) CloseConnection();
        else FailBody(new ClientDisconnectedException("the client closed the connection before the request body ended"));
    }

    public void OnClosed(IConnection connection, CloseReason reason)
    {
        bool handlerRunning = _handlerRunning;
        MoveTo(RequestState.Closed);
        FailBody(new ClientDisconnectedException($"the connection closed ({reason}) before the request body ended"));
        // The client went away, the server stopped, or a timeout cut the connection: a handler still at work is told.
        if (handlerRunning) _context?.AbortRequest();
        ReturnParser();
        // A context whose handler may still be running stays with it; the GC takes it afterwards.
        if (!handlerRunning) ReturnContext();
        if (_turnThread == 0) ReleaseIfIdle();
    }

    private void ReturnParser()
    {
        if (_parser is null) return;
        Http1ObjectPool.Current.Return(_parser, Limits);
        _parser = null;
    }

    private void ReturnContext()
    {
        if (_context is null) return;
        Http1ObjectPool.Current.Return(_context);
        _context = null;
    }

    /// <summary>Sets up the request from a complete head; false when it was refused (the connection is closing).</summary>
    private bool BeginRequest(ReadOnlySpan<byte> head)
    {
        _context ??= Http1ObjectPool.Current.RentContext();
        var context = _context;
        var parser = _parser!;
        var snapshot = context.Head;
        snapshot.Load(head);
        snapshot.Method = MethodName(parser.Method, parser.MethodRange.Of(head));
        snapshot.IsHead = parser.Method == RequestMethod.Head;
        snapshot.MethodRange = (parser.MethodRange.Start, parser.MethodRange.Length);
        snapshot.TargetRange = (parser.TargetRange.Start, parser.TargetRange.Length);
        snapshot.TargetForm = parser.TargetForm;
        snapshot.PathRange = (parser.PathRange.Start, parser.PathRange.Length);
        snapshot.QueryRange = (parser.QueryRange.Start, parser.QueryRange.Length);
        snapshot.IsHttp11 = parser.Version == HttpVersion.Http11;
        snapshot.IsHttp2 = false;
        snapshot.ContentLength = parser.ContentLength;
        snapshot.IsChunked = parser.IsChunked;
        for (int i = 0; i < parser.HeaderCount; i++)
        {
            var field = parser.GetHeader(i);
            snapshot.AddHeader(field.NameRange.Start, field.NameRange.Length, field.ValueRange.Start, field.ValueRange.Length);
        }
        _keepAlive = parser.KeepAlive;
        context.Request.Reset();
        context.Request.Connection = _connection;
        context.Response.Reset(this, _factory.Json);
        context.Route.Clear();
        context.ResetAborted();
        _generation++;
        MoveTo(RequestState.Handling);
        bool hasBody = parser.IsChunked || parser.ContentLength > 0;
        if (parser.ContentLength > Limits.MaxRequestBodySize)
        {
            Reject(RequestRejection.BodyTooLarge);
            return false;
        }
        StartBody(context.Request.Body, hasBody, parser.IsChunked, parser.ContentLength, parser.ExpectContinue);
        ReturnParser();
        return true;
    }

    /// <summary>The method as a string: the parser already classified it, so the common ones are literals and allocate nothing.</summary>
    private static string MethodName(RequestMethod method, ReadOnlySpan<byte> token) => method switch
    {
        RequestMethod.Get => "GET",
        RequestMethod.Head => "HEAD",
        RequestMethod.Post => "POST",
        RequestMethod.Put => "PUT",
        RequestMethod.Delete => "DELETE",
        RequestMethod.Options => "OPTIONS",
        RequestMethod.Patch => "PATCH",
        RequestMethod.Trace => "TRACE",
        RequestMethod.Connect => "CONNECT",
        _ => Encoding.ASCII.GetString(token),
    };

    /// <summary>
    /// Runs the application, unless the client address has spent its request budget (per-IP rate limit): then the
    /// answer is 429 and the connection stays open (the body, if any, is drained as after any early answer), except
    /// after <see cref="ClientAddressTable.RefusalsBeforeEnd"/> refusals in a row, when the 429 says Connection: close.
    /// </summary>
    private void AdmitAndInvokeApplication()
    {
        var admission = TooManyRequests.Admit(_connection);
        if (admission.IsAdmitted)
        {
            InvokeApplication();
            return;
        }
        TooManyRequests.Write(_context!.Response, admission);
        if (admission.EndConnection) _keepAlive = false;
    }

    private void InvokeApplication()
    {
        var context = _context!;
        var loopContext = LoopContext;
        loopContext.Bind(_generation);
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(loopContext);
        _handlerRunning = true;
        ValueTask pending;
        try
        {
            pending = _factory.Application(context);
        }
        catch (Exception e)
        {
            SynchronizationContext.SetSynchronizationContext(previous);
            HandlerFailed(e);
            _handlerRunning = false;
            return;
        }
        if (pending.IsCompletedSuccessfully)
        {
            SynchronizationContext.SetSynchronizationContext(previous);
            pending.GetAwaiter().GetResult();
            _handlerRunning = false;
            return;
        }
        // Awaited under the connection's context, so the completion comes back through IConnection.Post.
        _ = AwaitApplicationAsync(pending);
        SynchronizationContext.SetSynchronizationContext(previous);
    }

    private async Task AwaitApplicationAsync(ValueTask pending)
    {
        try
        {
            await pending;
        }
        catch (Exception e)
        {
            HandlerFailed(e);
        }
        _handlerRunning = false;
        // The handler's continuations hold its context: the next request binds a fresh one, and this one, still bound
        // to this request, sends whatever it is handed from now on off the connection (see ConnectionSynchronizationContext).
        _synchronizationContext = null;
        if (!IsClosing) ContinueAfterApplication();
    }

    /// <summary>An async handler finished (on the connection's thread): answer, then let the bytes that waited behind it in.</summary>
    private void ContinueAfterApplication()
    {
        bool inputSuspended = _state == RequestState.AwaitingHandler;
        if (_state != RequestState.Answered)
        {
            AnswerBeforeBodyEnds();
            if (IsClosing) return;
        }
        if (BodyIncomplete) return; // the rest of the body is drained as it arrives
        EndRequest();
        if (IsClosing) return;
        if (inputSuspended) _connection.ResumeInput();
        else if (_inputEnded) CloseConnection();
    }

    /// <summary>The handler is done: write its response now, even if the request body is still arriving (then drain it or close).</summary>
    private void AnswerBeforeBodyEnds()
    {
        if (BodyIncomplete && !StartDraining()) _keepAlive = false;
        WriteResponse();
        if (!IsClosing && BodyIncomplete && !_keepAlive) CloseConnection();
    }

    /// <summary>The handler threw: the client's error is one Debug line, a bug of the handler's an error with a 500.</summary>
    private void HandlerFailed(Exception e)
    {
        bool clientError = IsClientError(e);
        if (clientError) LogClientError(e);
        if (IsClosing)
        {
            if (!clientError) _factory.Logger.LogError(e, "request handler failed after its connection closed");
            return;
        }
        var context = _context!;
        if (!clientError)
        {
            _factory.Logger.LogError(e, "request handler failed: {Method} {Path}", context.Request.Method, Encoding.ASCII.GetString(context.Request.RawPath));
        }
        var response = context.Response;
        if (response.HasStarted)
        {
            // Part of the response is out; the only honest end is to cut the connection.
            MoveTo(RequestState.Closing);
            _connection.Abort();
            return;
        }
        response.ClearBufferedBody();
        response.Headers.Clear();
        response.ContentType = "text/plain; charset=utf-8";
        // A body that could not be read (the client half-closed mid-body) is the client's fault: 400 (RFC 9110 §15.5.1).
        response.StatusCode = clientError ? 400 : 500;
        response.Write(clientError ? "Bad Request\n"u8 : "Internal Server Error\n"u8);
        _keepAlive = false;
    }

    /// <summary>
    /// A failure that is the client's doing, not the handler's: a body that was malformed or too large, a client that
    /// went away mid-request, or the request's own <see cref="HttpContext.RequestAborted"/> firing. The handler only
    /// passed it on (a body read threw), so it is logged as one Debug line, not as a server error with a stack trace.
    /// </summary>
    private bool IsClientError(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is BadHttpRequestException or ClientDisconnectedException) return true;
            if (inner is OperationCanceledException canceled && _context?.IsAbortToken(canceled.CancellationToken) == true) return true;
        }
        return false;
    }

    private void LogClientError(Exception e)
    {
        var reason = e;
        while (reason.InnerException is not null && reason is not (BadHttpRequestException or ClientDisconnectedException)) reason = reason.InnerException;
        // A malformed or oversized body was logged already, when the server refused it (Reject): one line per request.
        if (reason is BadHttpRequestException) return;
        _factory.Logger.LogDebug("connection {Id}: request ended by the client: {Reason}", _connection?.Id, reason.Message);
    }

    /// <summary>Writes the response (unless it went out already) and gets ready for the next request.</summary>
    private void EndRequest()
    {
        if (_state != RequestState.Answered) WriteResponse();
        if (IsClosing) return;
        MoveTo(RequestState.AwaitingRequest);
        ReturnContext();
        // Draining: a response whose head went out before the stop promised keep-alive; close at this boundary anyway.
        if (!_keepAlive || ServerDraining) CloseConnection();
    }

    private void CloseConnection()
    {
        if (IsClosing) return;
        MoveTo(RequestState.Closing);
        _connection.Close();
    }
}
