using System.Net;
using Microsoft.Extensions.Logging;
using Netloop.Reactor;
using Netloop.Transport;
using Netloop.Transport.PerIp;
using Netloop.Transport.Tls;

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
    // One table for every loop: a client's connections land on any loop (SO_REUSEPORT hashes them), its limit is one.
    private readonly ClientAddressTable? _addresses = options.PerIpLimits.CreateTable();

    public ServeLimit Limit { get; } = limit;
    private IPEndPoint? _localEndPoint;
    private IPEndPoint? _tlsEndPoint;
    private TlsListener? _tls;
    private Task? _stopping;
    private readonly TaskCompletionSource<Exception> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a loop's thread dies of an exception: its connections are no longer served.</summary>
    public Task<Exception> Failed => _failed.Task;

    public IPEndPoint LocalEndPoint => _localEndPoint ?? throw new InvalidOperationException("the server is not started");

    public IPEndPoint? TlsEndPoint => _tlsEndPoint;

    public void Start()
    {
        bool tlsOnly = options.Tls is { Port: null };
        var plainFds = new List<int>();
        var tlsFds = new List<int>();
        var settings = new ConnectionSettings(options.OutputHighWaterMark, options.IdleTimeout, options.NoDelay, options.SendTimeout);
        try
        {
            // The certificates first: a bad one is a one-line start-up error, before any port is taken.
            if (options.Tls is not null) _tls = TlsListener.Create(options.Tls, protocols, loggers.CreateLogger("Netloop.Tls"));
            var endPoint = OpenListeners(options.Port, plainFds);
            var tlsEndPoint = options.Tls?.Port is int tlsPort ? OpenListeners(tlsPort, tlsFds) : null;
            for (int i = 0; i < options.Loops; i++)
            {
                IPoller poller = options.Poller == Poller.Poll ? new PollPoller() : new EpollPoller();
                var loop = new EventLoop(i, poller, _logger);
                var transport = new LoopTransport(loop, protocols, _limiter, _logger, settings, Limit, _addresses);
                _loops.Add((loop, transport));
                transport.Listen(plainFds[i], tlsOnly ? _tls!.Endpoint : null);
                plainFds[i] = -1; // owned by the transport now
                if (tlsFds.Count > 0)
                {
                    transport.Listen(tlsFds[i], _tls!.Endpoint);
                    tlsFds[i] = -1;
                }
            }
            _localEndPoint = endPoint;
            _tlsEndPoint = tlsOnly ? endPoint : tlsEndPoint;
        }
        catch
        {
            foreach (int fd in plainFds.Concat(tlsFds))
            {
                if (fd >= 0) Native.Sys.Close(fd);
            }
            foreach (var (loop, transport) in _loops)
            {
                transport.ForceClose();
                loop.Dispose();
            }
            _loops.Clear();
            _tls?.Dispose();
            _tls = null;
            throw;
        }
        foreach (var (loop, _) in _loops)
        {
            loop.Start();
            _ = loop.Completion.ContinueWith(
                static (t, state) => ((TaskCompletionSource<Exception>)state!).TrySetResult(t.Exception!.InnerException ?? t.Exception),
                _failed, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        _tls?.StartWatching();
    }

    /// <summary>One listening socket per loop on <paramref name="port"/>; returns the address bound.</summary>
    private IPEndPoint OpenListeners(int port, List<int> fds)
    {
        var endPoint = new IPEndPoint(options.Address, port);
        // Our own loops always share the port through SO_REUSEPORT (the kernel spreads accepts over them); other
        // processes may join only when asked (ReusePort). One loop without ReusePort needs no SO_REUSEPORT at all, and
        // bind(2) itself then refuses any other listener; several loops have to check the listener table themselves.
        bool reusePort = options.ReusePort || options.Loops > 1;
        bool checkOthers = reusePort && !options.ReusePort;
        // Before binding, so a server that is refused never takes a share of the other one's connections.
        // Port 0 needs no look: bind picks a port no listener holds, SO_REUSEPORT or not.
        if (checkOthers && port != 0) PortExclusivity.ThrowIfOthersListen(endPoint, []);
        int first = fds.Count;
        for (int i = 0; i < options.Loops; i++)
        {
            // With port 0 the first bind picks the port and the other loops join it.
            fds.Add(ListenSocket.Open(endPoint, reusePort, options.Backlog, out var bound));
            endPoint = bound;
        }
        // Again once bound: another server that looked at the same moment is in the table now (both refuse).
        if (checkOthers) PortExclusivity.ThrowIfOthersListen(endPoint, fds.Skip(first).ToList());
        return endPoint;
    }

    /// <summary>Reads the TLS certificates again (SIGHUP); false when there is no TLS or the new files are bad (the old ones stay).</summary>
    public bool ReloadCertificates(string why) => _tls?.Endpoint.Reload(why) ?? false;

    public Task StopAsync(TimeSpan timeout) => _stopping ??= StopCoreAsync(timeout);

    private async Task StopCoreAsync(TimeSpan timeout)
    {
        foreach (var (loop, transport) in _loops)
        {
            loop.Post(static state =>
            {
                // The deadline on the loop's own clock, which all its timers run on.
                var (t, timeoutMs, graceMs) = ((LoopTransport, long, long))state!;
                long now = t.Loop.Clock.NowMs;
                t.BeginShutdown(now + timeoutMs, now + graceMs);
            }, (transport, (long)timeout.TotalMilliseconds, (long)options.ShutdownDrainGrace.TotalMilliseconds));
        }
        // A failed loop's completion is faulted: the others still drain, and the stop reports the failure after them.
        try
        {
            await Task.WhenAll(_loops.Select(l => l.Loop.Completion)).ConfigureAwait(false);
        }
        catch (Exception)
        {
        }
        foreach (var (loop, _) in _loops) loop.Dispose();
        // No loop runs: no handshake can call back into the contexts any more.
        _tls?.Dispose();
        var failed = _loops.FirstOrDefault(l => l.Loop.Completion.IsFaulted).Loop;
        if (failed is not null)
        {
            var cause = failed.Completion.Exception!.InnerException!;
            throw new NetloopException($"event loop {failed.Index} failed: {cause.GetType().Name}: {cause.Message}", cause);
        }
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
        return ServerStats.From(sum, active, outstanding, peak) with
        {
            LoopAllocatedBytes = allocated,
            RejectedPerIp = _addresses?.RejectedConnections ?? 0,
            PerIpTableFull = _addresses?.TableFullRejections ?? 0,
            RateLimited = _addresses?.RateLimitedRequests ?? 0,
        };
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
