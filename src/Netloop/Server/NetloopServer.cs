using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netloop.Transport;

namespace Netloop.Server;

/// <summary>
/// A server for one protocol on the reactor (epoll or poll event loops, <see cref="ServerOptions.Poller"/>):
/// <see cref="Start"/> binds and serves, <see cref="StopAsync"/> stops gracefully and proves nothing is left behind
/// (see <see cref="GetStats"/> and <see cref="Audit"/>).
/// </summary>
public sealed class NetloopServer : IAsyncDisposable
{
    private readonly IServerEngineFactory _engineFactory;
    private readonly IServerEngine _engine;
    private readonly ILoggerFactory _loggers;
    private int _started;
    private ProcessResources _beforeStart;

    /// <summary>
    /// Creates a server; nothing is bound until <see cref="Start"/>. Throws <see cref="ArgumentException"/> naming the
    /// first setting of <paramref name="options"/> out of range.
    /// </summary>
    public NetloopServer(ServerOptions options, IConnectionProtocolFactory protocol, ILoggerFactory? loggerFactory = null)
        : this(options, protocol, loggerFactory, engine: null, serveLimit: 0)
    {
    }

    /// <summary>
    /// The seam for the CLI, the tests and the baselines: <paramref name="engine"/> replaces the reactor (null: the
    /// reactor), and <paramref name="serveLimit"/> connections are served before <see cref="LimitReached"/> completes
    /// (0: no limit; <c>--limit</c>).
    /// </summary>
    internal NetloopServer(ServerOptions options, IConnectionProtocolFactory protocol, ILoggerFactory? loggerFactory, IServerEngineFactory? engine, int serveLimit)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(protocol);
        options.Validate();
        if (serveLimit < 0) throw new ArgumentException($"limit must not be negative, got {serveLimit}");
        Options = options;
        Protocol = protocol;
        var loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _loggers = loggers;
        _engineFactory = engine ?? ReactorEngineFactory.Instance;
        _engine = _engineFactory.Create(options, protocol, loggers, new ServeLimit(serveLimit));
    }

    /// <summary>Starts configuring an HTTP application (<c>NetloopServer.CreateBuilder(args).Build()</c>), in the manner of ASP.NET Core's minimal APIs.</summary>
    public static NetloopAppBuilder CreateBuilder(string[] args) => new(args ?? []);

    /// <summary>The settings in force.</summary>
    public ServerOptions Options { get; }

    /// <summary>The protocol served.</summary>
    public IConnectionProtocolFactory Protocol { get; }

    /// <summary>The address bound (with the real port when <see cref="ServerOptions.Port"/> was 0). Valid after <see cref="Start"/>.</summary>
    public IPEndPoint LocalEndPoint => _engine.LocalEndPoint;

    /// <summary>
    /// The TLS listener's address when <see cref="ServerOptions.Tls"/> is set: <see cref="LocalEndPoint"/> when the server
    /// speaks TLS only, the <see cref="TlsOptions.Port"/> listener's otherwise (with the real port when that was 0); null
    /// without TLS. Valid after <see cref="Start"/>.
    /// </summary>
    public IPEndPoint? TlsEndPoint => _engine.TlsEndPoint;

    /// <summary>
    /// Reads the TLS certificate files again, as SIGHUP does: new handshakes use the new certificates, established
    /// connections keep theirs. Returns false (and logs why) when a file is bad; the certificates in use then stay.
    /// </summary>
    public bool ReloadCertificates() => _engine.ReloadCertificates("requested");

    /// <summary>Where the server listens, as URLs: <c>http://</c> (or <c>tcp://</c>) for the plaintext listener, <c>https://</c> (or <c>tls://</c>) for TLS.</summary>
    internal IReadOnlyList<string> ListeningUrls
    {
        get
        {
            bool http = Protocol.Name == "http";
            var urls = new List<string>(2);
            var tls = TlsEndPoint;
            if (tls is null || !tls.Equals(LocalEndPoint)) urls.Add($"{(http ? "http" : "tcp")}://{LocalEndPoint}");
            if (tls is not null) urls.Add($"{(http ? "https" : "tls")}://{tls}");
            return urls;
        }
    }

    /// <summary>A configuration error found by the builder that made this server: <see cref="Start"/> throws it.</summary>
    internal string? StartError { get; init; }

    /// <summary>The builder's services, disposed (flushing the console log) when the server is.</summary>
    internal IDisposable? OwnedServices { get; init; }

    /// <summary>
    /// Binds and starts serving. Throws <see cref="AddressInUseException"/> when the port is taken, and
    /// <see cref="Hosting.NetloopConfigurationException"/> when the builder that made the server read a bad value.
    /// </summary>
    public void Start()
    {
        if (StartError is not null) throw new Hosting.NetloopConfigurationException(Hosting.NetloopSettings.SectionName, StartError);
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("the server was started already");
        // Before the listener opens: the audit after the stop compares against the process as it was before the server.
        _beforeStart = ProcessResources.Read(collect: false);
        _engine.Start();
    }

    /// <summary>Stops accepting, gives connections <see cref="ServerOptions.ShutdownTimeout"/> to send what they owe, then closes everything.</summary>
    public Task StopAsync() => Volatile.Read(ref _started) == 0 ? Task.CompletedTask : _engine.StopAsync(Options.ShutdownTimeout);

    /// <summary>
    /// Starts, logs <c>listening on http://ADDRESS:PORT</c> (<c>tcp://</c> for protocols other than HTTP; Information,
    /// category <c>Netloop.Server</c>), serves until <paramref name="cancellationToken"/> fires or the process gets SIGINT
    /// or SIGTERM, then stops gracefully. A start-up failure a user can fix (address in use, bad configuration) is
    /// written to standard error as one line (<c>netloop: …</c>), sets <see cref="Environment.ExitCode"/> to 1 and returns.
    /// A server that fails by itself (an event loop dies) is stopped, logged at Critical, sets the exit code to 1 and
    /// returns too; a second SIGINT/SIGTERM during the stop ends the process at once (exit code 130/143).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await Hosting.ServerRun.RunAsync(Start, StopAsync, () => ListeningUrls, () => Failed, _loggers.CreateLogger(NetloopApp.LogCategory), cancellationToken).ConfigureAwait(false);
        // Stopped already (a failed stop has been reported): only the builder's services are left.
        OwnedServices?.Dispose();
    }

    /// <summary>Current counters, including pooled buffers outstanding (0 after a clean stop).</summary>
    public ServerStats GetStats() => _engine.GetStats();

    /// <summary>Completes once the serve limit's connections have been accepted (never without a limit): the host's cue to stop.</summary>
    internal Task LimitReached => _engine.Limit.Reached;

    /// <summary>
    /// Completes, with the cause, when the server fails beyond one connection (an event loop's thread died): the host
    /// must stop it (<see cref="StopAsync"/> then throws <see cref="NetloopException"/>) and exit with a failure.
    /// </summary>
    internal Task<Exception> Failed => _engine.Failed;

    /// <summary>True when the engine runs event loops (the reactor): its stats carry the loops' allocations.</summary>
    internal bool RunsEventLoops => _engineFactory.RunsEventLoops;

    /// <summary>
    /// After <see cref="StopAsync"/>: what the server left behind (connections, tasks, pooled buffers, sockets in the
    /// process beyond those before <see cref="Start"/>, heap growth after a full GC). Process-wide figures assume this
    /// server was the process's only one.
    /// </summary>
    public ShutdownAudit Audit()
    {
        var stats = _engine.GetStats();
        var now = ProcessResources.Read(collect: true);
        return new ShutdownAudit
        {
            OpenConnections = stats.Active,
            UnfinishedTasks = _engine.UnfinishedTasks,
            BuffersOutstanding = stats.BuffersOutstanding,
            SocketsAboveStart = now.OpenSockets < 0 || _beforeStart.OpenSockets < 0 ? -1 : now.OpenSockets - _beforeStart.OpenSockets,
            HeapGrowthBytes = now.HeapBytes - _beforeStart.HeapBytes,
            UnobservedExceptions = _engine.UnobservedExceptions,
        };
    }

    /// <summary>Stops the server (see <see cref="StopAsync"/>) and disposes the services of the builder that made it.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        OwnedServices?.Dispose();
    }
}
