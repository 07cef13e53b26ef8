using System.Net;
using Microsoft.Extensions.Logging;
using Netloop.Http;
using Netloop.Http.Routing;
using Netloop.Protocols.Http1;

namespace Netloop.Server;

/// <summary>
/// An HTTP application: routes mapped to handlers, served by a <see cref="NetloopServer"/>. Unmatched paths get 404,
/// a path served for other methods gets 405 with Allow, and HEAD is answered from GET routes.
/// </summary>
public sealed class NetloopApp : IAsyncDisposable
{
    private readonly Router<RequestHandler> _router = new();
    private readonly NetloopAppBuilder _builder;
    private readonly HandlerWorkers? _workers;
    private NetloopServer? _server;

    internal NetloopApp(NetloopAppBuilder builder)
    {
        _builder = builder;
        if (builder.HandlerThreads > 0) _workers = new HandlerWorkers(builder.HandlerThreads);
        Protocol = new HttpProtocolFactory(Dispatch, builder.Limits, builder.Json, builder.LoggerFactory.CreateLogger("Netloop.Http"));
    }

    /// <summary>The HTTP protocol serving this app, for hosting it in a <see cref="NetloopServer"/> of your own.</summary>
    public HttpProtocolFactory Protocol { get; }

    /// <summary>Server settings (from the builder).</summary>
    public ServerOptions Options => _builder.Options;

    /// <summary>The address bound, once started.</summary>
    public IPEndPoint LocalEndPoint => _server?.LocalEndPoint ?? throw new InvalidOperationException("the app is not started");

    /// <summary>The server, once started.</summary>
    public NetloopServer? Server => _server;

    /// <summary>Maps <paramref name="template"/> for <paramref name="methods"/> to <paramref name="handler"/>.</summary>
    public NetloopApp Map(IEnumerable<string> methods, string template, RequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _router.Add(methods, template, handler);
        return this;
    }

    /// <summary>Maps a synchronous handler.</summary>
    public NetloopApp Map(IEnumerable<string> methods, string template, Action<HttpContext> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Map(methods, template, context =>
        {
            handler(context);
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>Maps GET (and so HEAD).</summary>
    public NetloopApp MapGet(string template, Action<HttpContext> handler) => Map(["GET"], template, handler);

    /// <summary>Maps GET (and so HEAD) to an async handler.</summary>
    public NetloopApp MapGet(string template, Func<HttpContext, Task> handler) => Map(["GET"], template, AsHandler(handler));

    /// <summary>Maps POST.</summary>
    public NetloopApp MapPost(string template, Action<HttpContext> handler) => Map(["POST"], template, handler);

    /// <summary>Maps POST to an async handler.</summary>
    public NetloopApp MapPost(string template, Func<HttpContext, Task> handler) => Map(["POST"], template, AsHandler(handler));

    /// <summary>Maps PUT.</summary>
    public NetloopApp MapPut(string template, Func<HttpContext, Task> handler) => Map(["PUT"], template, AsHandler(handler));

    /// <summary>Maps DELETE.</summary>
    public NetloopApp MapDelete(string template, Action<HttpContext> handler) => Map(["DELETE"], template, handler);

    /// <summary>Serves the files under <paramref name="root"/> at <paramref name="prefix"/> (GET and HEAD), with sendfile, ETag/Last-Modified, 304 and single ranges.</summary>
    public NetloopApp MapStaticFiles(string prefix, string root)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var files = new StaticFileEndpoint(root);
        string template = prefix.TrimEnd('/') + "/{*path}";
        return Map(["GET"], template, files.Serve);
    }

    /// <summary>Starts serving (binds now; throws <see cref="AddressInUseException"/> when the port is taken).</summary>
    public void Start()
    {
        if (_server is not null) throw new InvalidOperationException("the app was started already");
        _server = new NetloopServer(_builder.Options, Protocol, _builder.LoggerFactory, _builder.Engine, serveLimit: 0);
        _server.Start();
    }

    /// <summary>Stops gracefully.</summary>
    public async Task StopAsync()
    {
        if (_server is not null) await _server.StopAsync().ConfigureAwait(false);
        _workers?.Dispose();
    }

    /// <summary>Starts, serves until <paramref name="cancellationToken"/> fires (or SIGINT/SIGTERM when none is given), then stops.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = cancellationToken.CanBeCanceled ? null : System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        using var sigterm = cancellationToken.CanBeCanceled ? null : System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        Start();
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the app.</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>Runs on the loop: reads the body in, then waits (without blocking) for a worker to run the handler.</summary>
    private async ValueTask RunOnWorkerAsync(HttpContext context, RequestHandler handler)
    {
        await context.Request.Body.BufferEntireBodyAsync();
        context.Response.BufferAll = true;
        await _workers!.Run(context, handler);
    }

    private static RequestHandler AsHandler(Func<HttpContext, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return context => new ValueTask(handler(context));
    }

    private ValueTask Dispatch(HttpContext context)
    {
        var request = context.Request;
        var head = request.Head;
        var match = _router.Match(head.Slice(head.MethodRange), request.RawPath, context.Route);
        if (match.IsFound) return _workers is null ? match.Handler!(context) : RunOnWorkerAsync(context, match.Handler!);
        var response = context.Response;
        response.StatusCode = match.StatusCode;
        if (match.Allow is { } allow) response.Headers["Allow"] = allow;
        response.ContentType = "text/plain; charset=utf-8";
        response.Write(match.StatusCode == 405 ? "Method Not Allowed\n"u8 : "Not Found\n"u8);
        return ValueTask.CompletedTask;
    }
}
