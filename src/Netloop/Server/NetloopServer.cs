using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netloop.Modes;
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
    private int _started;

    /// <summary>Creates a server; nothing is bound until <see cref="Start"/>.</summary>
    public NetloopServer(ServerOptions options, IConnectionProtocolFactory protocol, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(protocol);
        options.Validate();
        Options = options;
        Protocol = protocol;
        var loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _engine = options.Mode switch
        {
            ServerMode.Epoll or ServerMode.Poll => new ReactorEngine(options, protocol, loggers),
            ServerMode.Serial => new SerialEngine(options, protocol, loggers),
            ServerMode.Threads => new ThreadPerConnectionEngine(options, protocol, loggers),
            ServerMode.Sockets => new SocketsEngine(options, protocol, loggers),
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

    /// <summary>Binds and starts serving. Throws <see cref="AddressInUseException"/> when the port is taken.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("the server was started already");
        _engine.Start();
    }

    /// <summary>Stops accepting, gives connections <see cref="ServerOptions.ShutdownTimeout"/> to send what they owe, then closes everything.</summary>
    public Task StopAsync() => Volatile.Read(ref _started) == 0 ? Task.CompletedTask : _engine.StopAsync(Options.ShutdownTimeout);

    /// <summary>Starts, serves until <paramref name="cancellationToken"/> fires, then stops gracefully.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Start();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>Current counters, including pooled buffers outstanding (0 after a clean stop).</summary>
    public ServerStats GetStats() => _engine.GetStats();

    /// <summary>Stops the server (see <see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
