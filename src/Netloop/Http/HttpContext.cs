using Netloop.Http.Routing;

namespace Netloop.Http;

/// <summary>One request and its response, with the route values the router matched. Reused for the connection's next request once the handler finishes: do not keep it.</summary>
public sealed class HttpContext
{
    internal HttpContext()
    {
        Request = new HttpRequest(Head);
        Connection = new ConnectionInfo(Request);
    }

    /// <summary>The connection the request came on: its id, the client's address, TLS and the client certificate.</summary>
    public ConnectionInfo Connection { get; }

    /// <summary>The request.</summary>
    public HttpRequest Request { get; }

    /// <summary>The response.</summary>
    public HttpResponse Response { get; } = new();

    /// <summary>Values of the route template's parameters, e.g. <c>Route["id"]</c> for <c>/users/{id}</c>.</summary>
    public RouteValues Route { get; } = new();

    /// <summary>
    /// The app's services (its builder's <c>Services</c>, or the Generic Host's): the root provider, not a scope per
    /// request, so asking for nothing costs nothing. Resolve singletons and transients here; for scoped services create
    /// a scope (<c>RequestServices.CreateScope()</c>) and dispose it before the handler returns. Without DI (an
    /// <see cref="Protocols.Http1.HttpProtocolFactory"/> used on its own) a provider that has no services.
    /// </summary>
    public IServiceProvider RequestServices { get; set; } = EmptyServiceProvider.Instance;

    internal RequestHead Head { get; } = new();

    // Created on first read of RequestAborted only (a request nobody asks about allocates nothing), then reset and kept
    // for the context's next requests, as Kestrel does.
    private CancellationTokenSource? _aborted;
    private bool _abortRequested;

    /// <summary>
    /// Cancelled when the request can no longer be answered: the client went away (the connection was reset or closed
    /// while the request was in progress), a timeout cut the connection, or the server stopped. A client that only
    /// half-closes after sending its request does not cancel it (it may still read the answer). Never cancelled after
    /// the response was completed normally. Reading it costs one allocation on the context's first use, none after.
    /// </summary>
    public CancellationToken RequestAborted
    {
        get
        {
            if (_abortRequested) return new CancellationToken(canceled: true);
            return (_aborted ??= new CancellationTokenSource()).Token;
        }
    }

    /// <summary>The request was aborted (see <see cref="RequestAborted"/>): cancels the token if anyone took it.</summary>
    internal void AbortRequest()
    {
        if (_abortRequested) return;
        _abortRequested = true;
        var source = _aborted;
        if (source is null) return;
        // Callbacks registered on the token run here, on the connection's thread; one that throws must not take the
        // connection's close down with it (the handler sees the cancellation either way).
        try
        {
            source.Cancel();
        }
        catch (AggregateException)
        {
        }
    }

    /// <summary>A new request begins on this context: an untouched or uncancelled token is reused, a cancelled one dropped.</summary>
    internal void ResetAborted()
    {
        _abortRequested = false;
        if (_aborted is { } source && !source.TryReset())
        {
            source.Dispose();
            _aborted = null;
        }
    }

    /// <summary>True when <paramref name="token"/> is this request's <see cref="RequestAborted"/> and it fired.</summary>
    internal bool IsAbortToken(CancellationToken token) =>
        _abortRequested && token.IsCancellationRequested && (_aborted is null ? token == new CancellationToken(true) : token == _aborted.Token);
}
