using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Netloop.Server;

namespace Netloop.Hosting;

/// <summary>
/// Netloop as a Generic Host service (registered by <c>services.AddNetloop(…)</c>): <see cref="StartAsync"/> reads the
/// host's <c>Netloop</c> configuration section, maps the app and binds; <see cref="StopAsync"/> stops gracefully when
/// the host stops (SIGTERM, Ctrl+C, <see cref="IHostApplicationLifetime.StopApplication"/>). Handlers reach the host's
/// services through <see cref="Http.HttpContext.RequestServices"/>, and the server logs through the host's logging.
/// A server that fails by itself (an event loop dies) stops the host (<see cref="IHostApplicationLifetime.StopApplication"/>)
/// with a critical line and exit code 1, so the host never stays up without its server.
/// </summary>
public sealed class NetloopHostedService : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly Action<NetloopApp> _map;
    private readonly Action<NetloopOptions>? _configure;
    private NetloopApp? _app;
    private ILogger? _logger;
    private int _failureReported;

    internal NetloopHostedService(IServiceProvider services, Action<NetloopApp> map, Action<NetloopOptions>? configure)
    {
        _services = services;
        _map = map;
        _configure = configure;
    }

    /// <summary>The app, once <see cref="StartAsync"/> has run; null before.</summary>
    public NetloopApp? App => _app;

    /// <summary>The address bound (with the real port when the configured port was 0). Valid once started.</summary>
    public IPEndPoint LocalEndPoint => _app?.LocalEndPoint ?? throw new InvalidOperationException("the Netloop service is not started");

    /// <summary>
    /// Binds and starts serving. Throws <see cref="NetloopConfigurationException"/> for a bad configuration value and
    /// <see cref="AddressInUseException"/> when the port is taken; the host then fails to start.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) throw new InvalidOperationException("the Netloop service was started already");
        var options = new NetloopOptions();
        var configuration = (IConfiguration?)_services.GetService(typeof(IConfiguration));
        string? error = configuration is null ? null : NetloopSettings.Bind(configuration.GetSection(NetloopSettings.SectionName), options);
        _configure?.Invoke(options);
        var loggers = (ILoggerFactory?)_services.GetService(typeof(ILoggerFactory)) ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        var app = new NetloopApp(options, loggers, _services, ownedServices: null, error);
        _map(app);
        app.Start();
        _app = app;
        _logger = loggers.CreateLogger(NetloopApp.LogCategory);
        foreach (var url in app.Server!.ListeningUrls) ServerRun.LogListening(_logger, url);
        _ = app.Failed.ContinueWith(
            static (failed, state) => ((NetloopHostedService)state!).OnServerFailed(failed.Result),
            this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    /// <summary>A loop died: its connections are no longer served, so the host stops rather than live on half-alive.</summary>
    private void OnServerFailed(Exception cause)
    {
        if (Interlocked.Exchange(ref _failureReported, 1) != 0) return;
        ServerRun.ReportFailure(_logger!, cause.Message);
        var lifetime = (IHostApplicationLifetime?)_services.GetService(typeof(IHostApplicationLifetime));
        lifetime?.StopApplication();
    }

    /// <summary>
    /// Stops accepting and lets open requests finish for up to <see cref="ServerOptions.ShutdownTimeout"/>; stops waiting
    /// (the server still closes its connections) when the host's own shutdown timeout cancels <paramref name="cancellationToken"/>.
    /// A loop failure is a critical line and exit code 1 (once), not an exception out of the host's stop.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is null) return;
        try
        {
            await _app.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (NetloopException e)
        {
            if (Interlocked.Exchange(ref _failureReported, 1) == 0) ServerRun.ReportFailure(_logger!, e.Message);
        }
    }
}
