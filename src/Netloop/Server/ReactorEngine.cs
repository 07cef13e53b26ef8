using System.Net;
using Microsoft.Extensions.Logging;
using Netloop.Reactor;
using Netloop.Transport;

namespace Netloop.Server;

/// <summary>
/// The product's engine: N event loops (epoll or poll, <see cref="ServerOptions.Poller"/>), each with its own
/// SO_REUSEPORT listener, so the kernel spreads connections and no loop shares state. Starts and stops the loops; the
/// transport below only serves them. The port is this server's alone unless <see cref="ServerOptions.ReusePort"/> is set
/// (see <see cref="PortExclusivity"/>).
/// </summary>
internal sealed class ReactorEngine(ServerOptions options, IConnectionProtocolFactory protocols, ILoggerFactory loggers, ServeLimit limit) : IServerEngine
{
    private readonly ILogger _logger = loggers.CreateLogger("Netloop.Reactor");
    private readonly List<(EventLoop Loop, LoopTransport Transport)> _loops = new();
    private readonly ConnectionLimiter _limiter = new(options.MaxConnections);

    public ServeLimit Limit { get; } = limit;
    private IPEndPoint? _localEndPoint;
    private Task? _stopping;

    public IPEndPoint LocalEndPoint => _localEndPoint ?? throw new InvalidOperationException("the server is not started");

    public void Start()
    {
        var endPoint = new IPEndPoint(options.Address, options.Port);
        // Our own loops always share the port through SO_REUSEPORT (the kernel spreads accepts over them); other
        // processes may join only when asked (ReusePort). One loop without ReusePort needs no SO_REUSEPORT at all, and
        // bind(2) itself then refuses any other listener; several loops have to check the listener table themselves.
        bool reusePort = options.ReusePort || options.Loops > 1;
        bool checkOthers = reusePort && !options.ReusePort;
        var fds = new List<int>();
        var settings = new ConnectionSettings(options.OutputHighWaterMark, options.IdleTimeout, options.NoDelay);
        try
        {
            // Before binding, so a server that is refused never takes a share of the other one's connections.
            // Port 0 needs no look: bind picks a port no listener holds, SO_REUSEPORT or not.
            if (checkOthers && options.Port != 0) PortExclusivity.ThrowIfOthersListen(endPoint, []);
            for (int i = 0; i < options.Loops; i++)
            {
                // With port 0 the first bind picks the port and the other loops join it.
                fds.Add(ListenSocket.Open(endPoint, reusePort, options.Backlog, out var bound));
                endPoint = bound;
            }
            // Again once bound: another server that looked at the same moment is in the table now (both refuse).
            if (checkOthers) PortExclusivity.ThrowIfOthersListen(endPoint, fds);
            for (int i = 0; i < options.Loops; i++)
            {
                IPoller poller = options.Poller == Poller.Poll ? new PollPoller() : new EpollPoller();
                var loop = new EventLoop(i, poller, _logger);
                var transport = new LoopTransport(loop, protocols, _limiter, _logger, settings, Limit);
                transport.Listen(fds[i]);
                fds[i] = -1; // owned by the transport now
                _loops.Add((loop, transport));
            }
        }
        catch
        {
            foreach (int fd in fds)
            {
                if (fd >= 0) Native.Sys.Close(fd);
            }
            foreach (var (loop, transport) in _loops)
            {
                transport.ForceClose();
                loop.Dispose();
            }
            _loops.Clear();
            throw;
        }
        _localEndPoint = endPoint;
        foreach (var (loop, _) in _loops) loop.Start();
    }

    public Task StopAsync(TimeSpan timeout) => _stopping ??= StopCoreAsync(timeout);

    private async Task StopCoreAsync(TimeSpan timeout)
    {
        foreach (var (loop, transport) in _loops)
        {
            loop.Post(static state =>
            {
                // The deadline on the loop's own clock, which all its timers run on.
                var (t, timeoutMs) = ((LoopTransport, long))state!;
                t.BeginShutdown(t.Loop.Clock.NowMs + timeoutMs);
            }, (transport, (long)timeout.TotalMilliseconds));
        }
        await Task.WhenAll(_loops.Select(l => l.Loop.Completion)).ConfigureAwait(false);
        foreach (var (loop, _) in _loops) loop.Dispose();
    }

    public ServerStats GetStats()
    {
        var sum = new ConnectionCounters();
        long active = 0, outstanding = 0, peak = 0, allocated = 0;
        foreach (var (loop, transport) in _loops)
        {
            sum.Add(transport.Counters);
            active += transport.ActiveConnections;
            outstanding += loop.Pool.OutstandingBlocks;
            peak += loop.Pool.PeakOutstandingBytes;
            allocated += loop.AllocatedBytes;
        }
        return ServerStats.From(sum, active, outstanding, peak) with { LoopAllocatedBytes = allocated };
    }
}

/// <summary>Makes the <see cref="ReactorEngine"/>: what <see cref="NetloopServer"/> runs unless told otherwise.</summary>
internal sealed class ReactorEngineFactory : IServerEngineFactory
{
    public static ReactorEngineFactory Instance { get; } = new();

    public string Name => "reactor";

    public bool RunsEventLoops => true;

    public IServerEngine Create(ServerOptions options, IConnectionProtocolFactory protocol, ILoggerFactory loggers, ServeLimit limit) =>
        new ReactorEngine(options, protocol, loggers, limit);
}
