using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netloop.Modes;
using Netloop.Modes.Async;
using Netloop.Protocols.Echo;
using Netloop.Protocols;
using Netloop.Transport;

namespace Netloop.Server;

/// <summary>
/// A server for one protocol in one <see cref="ServerMode"/>: <see cref="Start"/> binds and serves,
/// <see cref="StopAsync"/> stops gracefully and proves nothing is left behind (see <see cref="GetStats"/>).
/// </summary>
public sealed class NetloopServer : IAsyncDisposable
{
    private readonly IServerEngine _engine;
    private readonly ILoggerFactory _loggers;
    private int _started;
    private ProcessResources _beforeStart;

    /// <summary>Creates a server; nothing is bound until <see cref="Start"/>.</summary>
    public NetloopServer(ServerOptions options, IConnectionProtocolFactory protocol, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(protocol);
        options.Validate();
        Options = options;
        Protocol = protocol;
        var loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _loggers = loggers;
        _engine = options.Mode switch
        {
            ServerMode.Epoll or ServerMode.Poll => new ReactorEngine(options, protocol, loggers),
            ServerMode.Serial => new SerialEngine(options, protocol, loggers),
            ServerMode.Threads => new ThreadPerConnectionEngine(options, protocol, loggers),
            ServerMode.Sockets => new SocketsEngine(options, protocol, loggers),
            ServerMode.AsyncSerial => new AsyncSerialEngine(options, EchoDelay(options, protocol), loggers),
            ServerMode.AsyncForget => new AsyncForgetEngine(options, EchoDelay(options, protocol), loggers),
            ServerMode.AsyncGroup => new AsyncGroupEngine(options, EchoDelay(options, protocol), loggers),
            ServerMode.AsyncWaiter => new AsyncWaiterEngine(options, EchoDelay(options, protocol), loggers),
            ServerMode.AsyncWaiter2 => new AsyncWaiter2Engine(options, EchoDelay(options, protocol), loggers),
            ServerMode.AsyncWorkers => new AsyncWorkersEngine(options, EchoDelay(options, protocol), loggers),
            ServerMode.AsyncSelect => new AsyncSelectEngine(options, EchoDelay(options, protocol), loggers),
            _ => throw new ArgumentException($"unknown mode {options.Mode}"),
        };
    }

    /// <summary>Starts configuring an HTTP application (<c>NetloopServer.CreateBuilder(args).Build()</c>), in the manner of ASP.NET Core's minimal APIs.</summary>
    public static NetloopAppBuilder CreateBuilder(string[] args) => new(args ?? []);

    /// <summary>The settings in force.</summary>
    public ServerOptions Options { get; }

    /// <summary>The protocol served.</summary>
    public IConnectionProtocolFactory Protocol { get; }

    /// <summary>The address bound (with the real port when <see cref="ServerOptions.Port"/> was 0). Valid after <see cref="Start"/>.</summary>
    public IPEndPoint LocalEndPoint => _engine.LocalEndPoint;

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
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        string scheme = Protocol.Name == "http" ? "http" : "tcp";
        await Hosting.ServerRun.RunAsync(Start, StopAsync, () => LocalEndPoint, scheme, _loggers.CreateLogger(NetloopApp.LogCategory), cancellationToken).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Current counters, including pooled buffers outstanding (0 after a clean stop).</summary>
    public ServerStats GetStats() => _engine.GetStats();

    /// <summary>Completes once <see cref="ServerOptions.ServeLimit"/> connections have been accepted (never without a limit): the host's cue to stop.</summary>
    public Task LimitReached => _engine.Limit.Reached;

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

    /// <summary>The async designs run one handler, echo's: its delay, or a refusal of any other protocol.</summary>
    private static TimeSpan EchoDelay(ServerOptions options, IConnectionProtocolFactory protocol) =>
        protocol is EchoProtocol echo
            ? echo.CloseDelay
            : throw new ArgumentException($"mode {options.Mode.Name()} serves the echo protocol only (the async experiment's handler)");

    /// <summary>Stops the server (see <see cref="StopAsync"/>) and disposes the services of the builder that made it.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        OwnedServices?.Dispose();
    }
}
