using System.Text;
using Microsoft.Extensions.Logging;
using Netloop.Http;
using Netloop.Transport;

namespace Netloop.Protocols.Http1;

/// <summary>
/// One HTTP/1.1 connection's state machine: parse a request head, hand the request to the application, feed it the
/// body, write the response, and go on with the next (pipelined) request, in order. Requests are served one at a time
/// per connection (RFC 9112 §9.3.2: responses in request order), so while an async handler runs the connection
/// suspends its input and later requests wait in the transport's buffer.
/// Split by concern: this file is the request cycle, <c>Http1Connection.Body.cs</c> the request body,
/// <c>Http1Connection.Response.cs</c> writing responses, <c>Http1Connection.Timers.cs</c> the timeouts.
/// </summary>
internal sealed partial class Http1Connection : IConnectionProtocol, IHttpExchange
{
    private HttpProtocolFactory _factory;
    // Null while the object waits in the pool (its connection is then served by the idle stand-in).
    private IConnection _connection = null!;
    // Both only while a request is in progress (the parser while a head is arriving); idle, they are back in the
    // thread's Http1ObjectPool.
    private RequestHeadParser? _parser;
    private HttpContext? _context;
    private ConnectionSynchronizationContext? _synchronizationContext;
    private bool _sawFirstRequest;
    private bool _inRequest;
    private bool _responseWritten;
    private bool _handlerDone;
    private bool _suspendedForHandler;
    private bool _keepAlive;
    private bool _peerDone;
    private bool _closed;
    // OnClosed came: the transport will not call again, so the object may go back to the pool.
    private bool _closeReported;

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

    private ConnectionSynchronizationContext LoopContext => _synchronizationContext ??= new ConnectionSynchronizationContext(this);

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
        _sawFirstRequest = afterFirstRequest;
        _inRequest = false;
        _responseWritten = false;
        _handlerDone = false;
        _suspendedForHandler = false;
        _keepAlive = false;
        _peerDone = false;
        _closed = false;
        _closeReported = false;
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
        if (_closed)
        {
            // Until OnClosed the transport may still call; a handler still running holds the object (the GC takes it).
            if (!_closeReported || (_inRequest && !_handlerDone)) return;
        }
        else
        {
            if (_inRequest || _parser is not null || _context is not null || _peerDone || _suspendedForHandler) return;
            DisarmTimer();
            connection.SwitchProtocol(_sawFirstRequest ? _factory.BetweenRequests : _factory.Fresh);
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
        while (!_closed)
        {
            if (!_inRequest)
            {
                var rest = data[consumed..];
                if (rest.IsEmpty) break;
                if (!_sawFirstRequest)
                {
                    var preface = Http2Preface.Match(rest);
                    if (preface == PrefaceMatch.NeedMore) break;
                    if (preface == PrefaceMatch.IsHttp2)
                    {
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
                _sawFirstRequest = true;
                DisarmTimer();
                int headLength = parser.HeadLength;
                if (!BeginRequest(rest[..headLength])) return data.Length;
                consumed += headLength;
                consumed += FeedBody(data[consumed..]);
                if (_closed) return data.Length;
                InvokeApplication();
                if (_closed) return data.Length;
            }

            if (_handlerDone && !_responseWritten)
            {
                AnswerBeforeBodyEnds();
                if (_closed) return data.Length;
            }
            if (!_bodyComplete)
            {
                consumed += FeedBody(data[consumed..]);
                if (_closed) return data.Length;
                if (!_bodyComplete) break;
            }
            if (!_handlerDone)
            {
                // The body is in; later bytes are the next request, which must wait for this response.
                if (!_suspendedForHandler)
                {
                    _suspendedForHandler = true;
                    connection.SuspendInput();
                }
                break;
            }
            EndRequest();
        }
        if (_peerDone && !_inRequest && !_closed) CloseConnection();
        return _closed ? data.Length : consumed;
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
        _peerDone = true;
        // Mid-request, the response still goes out (then the connection closes); between requests there is nothing to wait for.
        if (!_inRequest) CloseConnection();
        else if (!_bodyComplete) FailBody(new IOException("the client closed the connection before the request body ended"));
    }

    public void OnClosed(IConnection connection, CloseReason reason)
    {
        _closed = true;
        _closeReported = true;
        if (_inRequest && !_bodyComplete) FailBody(new IOException($"the connection closed ({reason})"));
        ReturnParser();
        // A context whose handler may still be running stays with it; the GC takes it afterwards.
        if (!_inRequest || _handlerDone) ReturnContext();
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
        snapshot.PathRange = (parser.PathRange.Start, parser.PathRange.Length);
        snapshot.QueryRange = (parser.QueryRange.Start, parser.QueryRange.Length);
        snapshot.IsHttp11 = parser.Version == HttpVersion.Http11;
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
        _inRequest = true;
        _handlerDone = false;
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

    private void InvokeApplication()
    {
        var context = _context!;
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(LoopContext);
        ValueTask pending;
        try
        {
            pending = _factory.Application(context);
        }
        catch (Exception e)
        {
            SynchronizationContext.SetSynchronizationContext(previous);
            OnApplicationFailed(e);
            _handlerDone = true;
            return;
        }
        if (pending.IsCompletedSuccessfully)
        {
            SynchronizationContext.SetSynchronizationContext(previous);
            pending.GetAwaiter().GetResult();
            _handlerDone = true;
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
            if (!_closed) OnApplicationFailed(e);
            else _factory.Logger.LogError(e, "request handler failed after its connection closed");
        }
        _handlerDone = true;
        if (!_closed) ContinueAfterApplication();
    }

    /// <summary>An async handler finished (on the connection's thread): answer, then let the bytes that waited behind it in.</summary>
    private void ContinueAfterApplication()
    {
        if (!_responseWritten)
        {
            AnswerBeforeBodyEnds();
            if (_closed) return;
        }
        if (!_bodyComplete) return; // the rest of the body is drained as it arrives
        EndRequest();
        if (_closed) return;
        if (_suspendedForHandler)
        {
            _suspendedForHandler = false;
            _connection.ResumeInput();
        }
        else if (_peerDone && !_inRequest)
        {
            CloseConnection();
        }
    }

    /// <summary>The handler is done: write its response now, even if the request body is still arriving (then drain it or close).</summary>
    private void AnswerBeforeBodyEnds()
    {
        if (!_bodyComplete && !StartDraining()) _keepAlive = false;
        WriteResponse();
        if (!_closed && !_bodyComplete && !_keepAlive) CloseConnection();
    }

    private void OnApplicationFailed(Exception e)
    {
        _factory.Logger.LogError(e, "request handler failed: {Method} {Path}", _context!.Request.Method, Encoding.ASCII.GetString(_context.Request.RawPath));
        var response = _context.Response;
        if (response.HasStarted)
        {
            // Part of the response is out; the only honest end is to cut the connection.
            _connection.Abort();
            _closed = true;
            return;
        }
        response.ClearBufferedBody();
        response.Headers.Clear();
        response.ContentType = "text/plain; charset=utf-8";
        response.StatusCode = 500;
        response.Write("Internal Server Error\n"u8);
        _keepAlive = false;
    }

    /// <summary>Writes the response (unless it went out already) and gets ready for the next request.</summary>
    private void EndRequest()
    {
        if (!_responseWritten) WriteResponse();
        if (_closed) return;
        _inRequest = false;
        _responseWritten = false;
        ReturnContext();
        if (!_keepAlive) CloseConnection();
    }

    private void CloseConnection()
    {
        if (_closed) return;
        _closed = true;
        _connection.Close();
    }
}
