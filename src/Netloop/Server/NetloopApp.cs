using System.Net;
using Microsoft.Extensions.Logging;
using Netloop.Hosting;
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
    /// <summary>The log category of the server's lifecycle lines (<c>listening on …</c>).</summary>
    internal const string LogCategory = "Netloop.Server";

    private static readonly TaskCompletionSource<Exception> s_neverFailed = new();

    private readonly NetloopOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly IDisposable? _ownedServices;
    private readonly string? _configurationError;
    private readonly HandlerWorkers? _workers;
    private NetloopServer? _server;
    private bool _http2SummaryLogged;

    /// <summary>
    /// An app served with <paramref name="options"/>. <paramref name="services"/> become every request's
    /// <see cref="HttpContext.RequestServices"/>; <paramref name="ownedServices"/> (the builder's container) is disposed
    /// with the app. <paramref name="configurationError"/>, when set, fails <see cref="Start"/>.
    /// </summary>
    internal NetloopApp(NetloopOptions options, ILoggerFactory loggers, IServiceProvider services, IDisposable? ownedServices, string? configurationError)
        : base("")
    {
        _options = options;
        _loggers = loggers;
        _ownedServices = ownedServices;
        _configurationError = configurationError;
        Services = services;
        if (options.HandlerThreads > 0) _workers = new HandlerWorkers(options.HandlerThreads);
        // The root provider, not a scope per request: a scope costs an allocation per request whether or not the handler
        // asks for a service. A handler that needs scoped services creates its own scope.
        RequestHandler application = context =>
        {
            context.RequestServices = services;
            return Dispatch(context);
        };
        Protocol = new HttpProtocolFactory(application, options.Limits, options.Json, loggers.CreateLogger("Netloop.Http"));
    }

    /// <summary>The app's services (the builder's <c>Services</c>, or the Generic Host's), also every request's <see cref="HttpContext.RequestServices"/>.</summary>
    public IServiceProvider Services { get; }

    /// <summary>The HTTP protocol serving this app, for hosting it in a <see cref="NetloopServer"/> of your own.</summary>
    public HttpProtocolFactory Protocol { get; }

    /// <summary>Server settings (from the builder).</summary>
    public ServerOptions Options => _options.Server;

    /// <summary>The address bound, once started.</summary>
    public IPEndPoint LocalEndPoint => _server?.LocalEndPoint ?? throw new InvalidOperationException("the app is not started");

    /// <summary>The TLS listener's address, once started with <see cref="ServerOptions.Tls"/>; null without TLS.</summary>
    public IPEndPoint? TlsEndPoint => _server?.TlsEndPoint;

    /// <summary>The server, once started.</summary>
    public NetloopServer? Server => _server;

    /// <summary>Replaces the reactor (tests run the app on the baselines' engines); null: the reactor.</summary>
    internal IServerEngineFactory? Engine { get; init; }

    /// <summary>
    /// Starts serving (binds now). Throws <see cref="NetloopConfigurationException"/> when a configuration value is bad
    /// and <see cref="AddressInUseException"/> when the port is taken.
    /// </summary>
    public void Start()
    {
        if (_server is not null) throw new InvalidOperationException("the app was started already");
        if (_configurationError is not null) throw new NetloopConfigurationException(NetloopSettings.SectionName, _configurationError);
        if (_options.HandlerThreads < 0)
        {
            throw new NetloopConfigurationException(NetloopSettings.SectionName, NetloopSettings.Invalid("HandlerThreads", "0-1024", _options.HandlerThreads.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        _server = new NetloopServer(_options.Server, Protocol, _loggers, Engine, serveLimit: 0);
        _server.Start();
    }

    /// <summary>Stops gracefully: no new connections, open requests get <see cref="ServerOptions.ShutdownTimeout"/> to finish.</summary>
    public async Task StopAsync()
    {
        try
        {
            if (_server is not null) await _server.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            // A failed loop throws out of the stop once the others have drained: the workers end all the same.
            _workers?.Dispose();
            LogHttp2Summary();
        }
    }

    /// <summary>Completes, with the cause, when the started server fails by itself (an event loop died); never before the start.</summary>
    internal Task<Exception> Failed => _server?.Failed ?? s_neverFailed.Task;

    /// <summary>What HTTP/2 served and what its defences did, once, when any HTTP/2 connection was served.</summary>
    private void LogHttp2Summary()
    {
        if (_http2SummaryLogged) return;
        _http2SummaryLogged = true;
        Protocol.LogHttp2Summary(_loggers.CreateLogger(LogCategory));
    }

    /// <summary>
    /// Starts, logs <c>listening on http://ADDRESS:PORT</c> (Information, category <c>Netloop.Server</c>), serves until
    /// <paramref name="cancellationToken"/> fires or the process gets SIGINT or SIGTERM, then stops gracefully and
    /// disposes the app's services (flushing the console log). A start-up failure a user can fix (a bad configuration
    /// value, the address in use) is written to standard error as one line (<c>netloop: …</c>), sets
    /// <see cref="Environment.ExitCode"/> to 1 and returns; <see cref="Start"/> throws instead. An app whose server fails
    /// by itself (an event loop dies) is stopped, logged at Critical, sets the exit code to 1 and returns too, rather than
    /// waiting for a signal with nothing served; a second SIGINT/SIGTERM during the stop ends the process at once (130/143).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await ServerRun.RunAsync(Start, StopAsync, () => _server!.ListeningUrls, () => Failed, _loggers.CreateLogger(LogCategory), cancellationToken).ConfigureAwait(false);
        // Stopped already (a failed stop has been reported): only the builder's services are left.
        await DisposeServicesAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the app and disposes the services the builder made for it.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await DisposeServicesAsync().ConfigureAwait(false);
    }

    private async ValueTask DisposeServicesAsync()
    {
        if (_ownedServices is IAsyncDisposable asyncServices) await asyncServices.DisposeAsync().ConfigureAwait(false);
        else _ownedServices?.Dispose();
    }
}
