using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Netloop.Http;
using Netloop.Http.Routing;
using Netloop.Protocols.Http1;

namespace Netloop.Server;

/// <summary>
/// The app's request path: middleware (app.Use) around routing, composed once, at the first request; then the
/// server's own answers (RFC 9110): 404 for an unmatched path (or the <see cref="MapFallback(RequestHandler)"/>
/// handler), 405 with Allow for a path served for other methods, 200 with Allow for <c>OPTIONS</c> on a path that
/// has no OPTIONS route of its own and for <c>OPTIONS *</c>, 405 for a CONNECT (no route can take one: its target is
/// <c>host:port</c>; a middleware can, see <see cref="HttpRequest.TargetForm"/>); and HEAD answered by GET routes.
/// </summary>
public sealed partial class NetloopApp
{
    // RFC 9110 §9: what the server answers for any-method routes in the server-wide Allow.
    private static readonly string[] s_standardMethods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

    private readonly Router<Endpoint> _router = new();
    private readonly List<Endpoint> _endpoints = [];
    private readonly Lock _composeLock = new();
    private Endpoint? _fallback;
    private Func<StatusCodeContext, ValueTask>? _statusPages;
    private RequestHandler? _pipeline;
    private string _serverAllow = "OPTIONS";
    private ILogger? _logger;

    internal override NetloopApp App => this;

    internal override EndpointRouteBuilder? Parent => null;

    /// <summary>
    /// Runs <paramref name="handler"/> for a request no route matches (instead of the 404), whatever its method; a
    /// path some route serves for other methods still gets 405. Not for <c>OPTIONS *</c> or CONNECT.
    /// </summary>
    public NetloopApp MapFallback(RequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfComposed();
        if (_fallback is not null) throw new InvalidOperationException("a fallback is mapped already");
        _fallback = new Endpoint(handler, this);
        _endpoints.Add(_fallback);
        return this;
    }

    /// <summary>Maps a synchronous fallback; see <see cref="MapFallback(RequestHandler)"/>.</summary>
    public NetloopApp MapFallback(Action<HttpContext> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return MapFallback(context =>
        {
            handler(context);
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>Maps an async fallback; see <see cref="MapFallback(RequestHandler)"/>.</summary>
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: take Task
    public NetloopApp MapFallback(Func<HttpContext, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return MapFallback(context => new ValueTask(handler(context)));
    }

    /// <summary>
    /// Lets <paramref name="handler"/> write the body of every error response that has none: the server's 404 and
    /// 405, a handler's own 4xx/5xx without a body, and the 500 after a handler throws (logged at error level, as
    /// without status pages). It runs after the rest of the pipeline and may set headers and write the body; it should
    /// keep the status. Without it the built-in bodies stay (<c>Not Found</c>, <c>Method Not Allowed</c>,
    /// <c>Internal Server Error</c>). A failing request body (client gone, bad framing) is not turned into a page.
    /// </summary>
    public NetloopApp UseStatusCodePages(Func<StatusCodeContext, ValueTask> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfComposed();
        _statusPages = handler;
        return this;
    }

    /// <summary>
    /// Status-code pages from a format: the body is <paramref name="bodyFormat"/> with <c>{0}</c> replaced by the
    /// status code, e.g. <c>UseStatusCodePages("text/plain", "Status code: {0}")</c>. See
    /// <see cref="UseStatusCodePages(Func{StatusCodeContext, ValueTask})"/>.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="bodyFormat"/> is not a valid format string.</exception>
    public NetloopApp UseStatusCodePages(string contentType, string bodyFormat)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        ArgumentNullException.ThrowIfNull(bodyFormat);
        var format = CompositeFormat.Parse(bodyFormat);
        return UseStatusCodePages(status =>
        {
            var response = status.HttpContext.Response;
            response.ContentType = contentType;
            response.WriteText(string.Format(CultureInfo.InvariantCulture, format, status.StatusCode));
            return ValueTask.CompletedTask;
        });
    }

    internal void AddEndpoint(IEnumerable<string>? methods, string template, Endpoint endpoint)
    {
        ThrowIfComposed();
        if (methods is null) _router.AddAnyMethod(template, endpoint);
        else _router.Add(methods, template, endpoint);
        _endpoints.Add(endpoint);
    }

    internal void ThrowIfComposed()
    {
        if (Volatile.Read(ref _pipeline) is not null)
        {
            throw new InvalidOperationException("the app has served its first request; map routes and add middleware before");
        }
    }

    private ValueTask Dispatch(HttpContext context) => (Volatile.Read(ref _pipeline) ?? Compose())(context);

    /// <summary>Builds the pipeline once (whichever loop serves the first request), then freezes routes and middleware.</summary>
    private RequestHandler Compose()
    {
        lock (_composeLock)
        {
            if (_pipeline is { } composed) return composed;
            foreach (var endpoint in _endpoints) endpoint.Compose();
            _serverAllow = ServerAllow();
            _logger = _loggers.CreateLogger("Netloop.Http");
            RequestHandler pipeline = Wrap(Route);
            if (_statusPages is not null)
            {
                var inner = pipeline;
                pipeline = context => WithStatusPage(inner, context);
            }
            Volatile.Write(ref _pipeline, pipeline);
            return pipeline;
        }
    }

    /// <summary>The Allow value for OPTIONS * and CONNECT: every method some route takes, and OPTIONS, which the server answers.</summary>
    private string ServerAllow()
    {
        var methods = new List<string>();
        foreach (string method in _router.Methods)
        {
            if (!methods.Contains(method)) methods.Add(method);
            if (method == "GET" && !_router.Methods.Contains("HEAD") && !methods.Contains("HEAD")) methods.Add("HEAD");
        }
        if (_router.HasAnyMethodRoute || _fallback is not null)
        {
            foreach (string method in s_standardMethods)
            {
                if (!methods.Contains(method)) methods.Add(method);
            }
        }
        if (!methods.Contains("OPTIONS")) methods.Add("OPTIONS");
        return string.Join(", ", methods);
    }

    /// <summary>The end of the app's middleware: routing, then the handler or the server's own answer.</summary>
    private ValueTask Route(HttpContext context)
    {
        var request = context.Request;
        var head = request.Head;
        var response = context.Response;
        switch (head.TargetForm)
        {
            case RequestTargetForm.Asterisk:
                // RFC 9110 §9.3.7, RFC 9112 §3.2.4: OPTIONS * asks about the server itself.
                response.Headers.Add("Allow", _serverAllow);
                return ValueTask.CompletedTask;
            case RequestTargetForm.Authority:
                // RFC 9110 §9.3.6: CONNECT asks for a tunnel; this server is no proxy. 405, not 404: the method is the problem.
                return Answer(context, 405, _serverAllow);
        }

        var match = _router.Match(head.Slice(head.MethodRange), request.RawPath, context.Route);
        if (match.IsFound) return Run(context, match.Handler!);
        if (match.Kind == RouteMatchKind.MethodNotAllowed && head.Method == "OPTIONS")
        {
            // RFC 9110 §9.3.7: describe the resource's methods; the router knows them. 200 with Content-Length: 0.
            response.Headers.Add("Allow", match.Allow!);
            return ValueTask.CompletedTask;
        }
        if (match.Kind == RouteMatchKind.NotFound && _fallback is not null) return Run(context, _fallback);
        return Answer(context, match.StatusCode, match.Allow);
    }

    private ValueTask Run(HttpContext context, Endpoint endpoint) =>
        _workers is null ? endpoint.Run(context) : RunOnWorkerAsync(context, endpoint.Run);

    /// <summary>The server's own error: status and Allow, and the built-in body unless status-code pages will write one.</summary>
    private ValueTask Answer(HttpContext context, int status, string? allow)
    {
        var response = context.Response;
        response.StatusCode = status;
        if (allow is not null) response.Headers["Allow"] = allow;
        if (_statusPages is null) WriteDefaultBody(response);
        return ValueTask.CompletedTask;
    }

    private static void WriteDefaultBody(HttpResponse response)
    {
        response.ContentType = "text/plain; charset=utf-8";
        response.Write(response.StatusCode switch
        {
            404 => "Not Found\n"u8,
            405 => "Method Not Allowed\n"u8,
            _ => "Internal Server Error\n"u8,
        });
    }

    /// <summary>Runs on the loop: reads the body in, then waits (without blocking) for a worker to run the handler.</summary>
    private async ValueTask RunOnWorkerAsync(HttpContext context, RequestHandler handler)
    {
        await context.Request.Body.BufferEntireBodyAsync();
        context.Response.BufferAll = true;
        await _workers!.Run(context, handler);
    }

    private ValueTask WithStatusPage(RequestHandler pipeline, HttpContext context)
    {
        ValueTask pending;
        try
        {
            pending = pipeline(context);
        }
        catch (Exception e) when (CanAnswerFailure(context, e))
        {
            return StatusPageAfterFailure(context, e);
        }
        if (!pending.IsCompletedSuccessfully) return AwaitThenStatusPageAsync(pending, context);
        pending.GetAwaiter().GetResult();
        return StatusPage(context);
    }

    private async ValueTask AwaitThenStatusPageAsync(ValueTask pending, HttpContext context)
    {
        try
        {
            await pending;
        }
        catch (Exception e) when (CanAnswerFailure(context, e))
        {
            await StatusPageAfterFailure(context, e);
            return;
        }
        await StatusPage(context);
    }

    /// <summary>
    /// A handler failure the app turns into a 500 page: not when the response is partly out (the connection must be
    /// cut), nor when the request body failed (the client's doing: the connection decides what to answer and log).
    /// </summary>
    private static bool CanAnswerFailure(HttpContext context, Exception e) =>
        !context.Response.HasStarted && e is not IOException and not BadHttpRequestException;

    private ValueTask StatusPageAfterFailure(HttpContext context, Exception e)
    {
        _logger!.LogError(e, "request handler failed: {Method} {Path}", context.Request.Method, Encoding.ASCII.GetString(context.Request.RawPath));
        var response = context.Response;
        response.ClearBufferedBody();
        response.Headers.Clear();
        response.ContentType = null;
        response.StatusCode = 500;
        return StatusPage(context);
    }

    /// <summary>An error status with no body gets the app's page; anything else is left alone.</summary>
    private ValueTask StatusPage(HttpContext context)
    {
        var response = context.Response;
        if (response.StatusCode < 400 || response.HasStarted || response.SentFile || !response.BufferedBody.IsEmpty) return ValueTask.CompletedTask;
        return _statusPages!(new StatusCodeContext(context));
    }
}
