using System.Net;
using Microsoft.Extensions.Logging;
using Netloop.Http;
using Netloop.Http.Routing;
using Netloop.Protocols.Http1;

namespace Netloop.Server;

/// <summary>
/// An HTTP application: routes mapped to handlers and middleware around them (see <c>NetloopApp.Endpoints.cs</c>),
/// served by a <see cref="NetloopServer"/>. This file is the app's lifecycle: build, start, run, stop.
/// </summary>
public sealed partial class NetloopApp : EndpointRouteBuilder, IAsyncDisposable
{
    private readonly NetloopAppBuilder _builder;
    private readonly HandlerWorkers? _workers;
    private NetloopServer? _server;

    internal NetloopApp(NetloopAppBuilder builder)
        : base("")
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

    /// <summary>Starts serving (binds now; throws <see cref="AddressInUseException"/> when the port is taken).</summary>
    public void Start()
    {
        if (_server is not null) throw new InvalidOperationException("the app was started already");
        _server = new NetloopServer(_builder.Options, Protocol, _builder.LoggerFactory);
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
}
