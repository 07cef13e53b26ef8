using Microsoft.Extensions.Logging;
using Netloop.Baselines.Async;
using Netloop.Protocols.Echo;
using Netloop.Server;
using Netloop.Transport;

namespace Netloop.Baselines;

/// <summary>
/// Plugs one baseline or async design into <see cref="NetloopServer"/> through the product's one engine seam
/// (<see cref="IServerEngineFactory"/>). The reactor modes need no factory: <see cref="ModeServer.Configure"/> turns
/// them into a <see cref="Poller"/> of the options.
/// </summary>
internal sealed class ModeEngineFactory : IServerEngineFactory
{
    private readonly ServerMode _mode;
    private readonly BaselineOptions _baselines;

    public ModeEngineFactory(ServerMode mode, BaselineOptions? baselines = null)
    {
        if (mode.IsReactor()) throw new ArgumentException($"mode {mode.Name()} is the product's reactor, not a baseline");
        _mode = mode;
        _baselines = baselines ?? new BaselineOptions();
        _baselines.Validate();
    }

    public string Name => _mode.Name();

    public bool RunsEventLoops => false;

    public IServerEngine Create(ServerOptions options, IConnectionProtocolFactory protocol, ILoggerFactory loggers, ServeLimit limit)
    {
        var context = new EngineContext(_mode, options, _baselines, loggers, limit);
        return _mode switch
        {
            ServerMode.Serial => new SerialEngine(context, protocol),
            ServerMode.Threads => new ThreadPerConnectionEngine(context, protocol),
            ServerMode.Sockets => new SocketsEngine(context, protocol),
            ServerMode.AsyncSerial => new AsyncSerialEngine(context, EchoDelay(protocol)),
            ServerMode.AsyncForget => new AsyncForgetEngine(context, EchoDelay(protocol)),
            ServerMode.AsyncGroup => new AsyncGroupEngine(context, EchoDelay(protocol)),
            ServerMode.AsyncWaiter => new AsyncWaiterEngine(context, EchoDelay(protocol)),
            ServerMode.AsyncWaiter2 => new AsyncWaiter2Engine(context, EchoDelay(protocol)),
            ServerMode.AsyncWorkers => new AsyncWorkersEngine(context, EchoDelay(protocol)),
            ServerMode.AsyncSelect => new AsyncSelectEngine(context, EchoDelay(protocol)),
            _ => throw new ArgumentException($"unknown mode {_mode}"),
        };
    }

    /// <summary>The async designs run one handler, echo's: its delay, or a refusal of any other protocol.</summary>
    private TimeSpan EchoDelay(IConnectionProtocolFactory protocol) =>
        protocol is EchoProtocol echo
            ? echo.CloseDelay
            : throw new ArgumentException($"mode {_mode.Name()} serves the echo protocol only (the async experiment's handler)");
}
