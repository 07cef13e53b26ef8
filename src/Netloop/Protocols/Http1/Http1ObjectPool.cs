using Netloop.Http;

namespace Netloop.Protocols.Http1;

/// <summary>
/// The connection state machine, the parser and the <see cref="HttpContext"/> a connection needs only while a request is
/// in progress, kept per thread (so per event loop, with no lock): an idle keep-alive connection gives all three back
/// and holds only its transport state instead of several kilobytes. A pipelined burst takes the same objects back off
/// the stack request after request.
/// </summary>
internal sealed class Http1ObjectPool
{
    /// <summary>Enough for every request a loop has in progress at once in practice; beyond it objects are left to the GC.</summary>
    private const int MaxKept = 512;

    [ThreadStatic]
    private static Http1ObjectPool? t_current;

    private readonly Stack<RequestHeadParser> _parsers = new();
    private readonly Stack<HttpContext> _contexts = new();
    private readonly Stack<Http1Connection> _connections = new();
    private HttpLimits? _parserLimits;

    /// <summary>The calling thread's pool.</summary>
    public static Http1ObjectPool Current => t_current ??= new Http1ObjectPool();

    /// <summary>A parser reset to its initial state, with <paramref name="limits"/>.</summary>
    public RequestHeadParser RentParser(HttpLimits limits)
    {
        // Parsers carry their limits; a thread serving two apps with different limits keeps only the last one's.
        if (!ReferenceEquals(_parserLimits, limits))
        {
            _parsers.Clear();
            _parserLimits = limits;
        }
        return _parsers.TryPop(out var parser) ? parser : new RequestHeadParser(limits);
    }

    public void Return(RequestHeadParser parser, HttpLimits limits)
    {
        if (_parsers.Count >= MaxKept || !ReferenceEquals(_parserLimits, limits)) return;
        parser.Reset();
        _parsers.Push(parser);
    }

    /// <summary>A live connection state machine, reset, serving <paramref name="factory"/>.</summary>
    public Http1Connection RentConnection(HttpProtocolFactory factory)
    {
        if (!_connections.TryPop(out var connection)) return new Http1Connection(factory);
        connection.Factory = factory;
        return connection;
    }

    /// <summary>Takes back a connection state machine that has handed its connection to the idle stand-in.</summary>
    public void Return(Http1Connection connection)
    {
        if (_connections.Count < MaxKept) _connections.Push(connection);
    }

    public HttpContext RentContext() => _contexts.TryPop(out var context) ? context : new HttpContext();

    /// <summary>Takes back a context whose request is over (its handler has finished); the next request resets it.</summary>
    public void Return(HttpContext context)
    {
        if (_contexts.Count >= MaxKept) return;
        context.Request.Connection = null;
        _contexts.Push(context);
    }
}
