using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netloop.Reactor;
using Netloop.Transport;
using Netloop.Transport.Tls;

namespace Netloop.Client;

/// <summary>
/// One reactor loop (its own thread) that opens outbound TCP connections and drives each with an
/// <see cref="IClientProtocol"/>: the same non-blocking transport the server uses (edge-triggered epoll, one gathered
/// write per connection per iteration, pooled buffers), pointed the other way. The engine of <c>netloop load</c>.
/// </summary>
/// <remarks>
/// <see cref="Connect(IPEndPoint, IPAddress?, IClientProtocol)"/> runs on the loop thread: call it from a protocol callback or from work given to <see cref="Post"/>.
/// </remarks>
public sealed class ClientLoop : IDisposable
{
    private readonly EventLoop _loop;
    private readonly LoopTransport _transport;
    private Task? _stopping;
    private bool _started;
    private bool _disposed;

    /// <summary>Creates the loop; <see cref="Start"/> starts its thread.</summary>
    public ClientLoop(ClientLoopOptions? options = null, ILogger? logger = null)
    {
        options ??= new ClientLoopOptions();
        logger ??= NullLogger.Instance;
        IPoller poller = options.UsePoll ? new PollPoller() : new EpollPoller();
        // A 1 ms timer tick (the server's 10 ms is plenty for timeouts): open-loop load paces requests with these timers,
        // and a coarser tick would show up as latency that is the client's own.
        _loop = new EventLoop(0, poller, logger, timerTickMs: 1) { ThreadName = options.Name };
        _transport = new LoopTransport(_loop, logger, options.OutputHighWaterMark, options.NoDelay, options.ConnectTimeout);
    }

    /// <summary>The loop's clock in milliseconds (CLOCK_MONOTONIC, read once per iteration).</summary>
    public long NowMs => _loop.NowMs;

    /// <summary>Connections open now (connecting ones included).</summary>
    public int ActiveConnections => _transport.ActiveConnections;

    /// <summary>Pooled buffer blocks lent out and not yet returned (0 after <see cref="StopAsync"/>: nothing leaked).</summary>
    public long OutstandingBuffers => _loop.Pool.OutstandingBlocks;

    /// <summary>Managed bytes the loop thread has allocated so far (sampled once per iteration).</summary>
    public long AllocatedBytes => _loop.AllocatedBytes;

    /// <summary>True on the loop's own thread.</summary>
    public bool IsOnLoopThread => _loop.IsOnLoopThread;

    /// <summary>Completes when the loop thread has exited.</summary>
    public Task Completion => _loop.Completion;

    /// <summary>Starts the loop thread.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_started) throw new InvalidOperationException("the loop is already started");
        _started = true;
        _loop.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the loop thread soon; safe from any thread.</summary>
    public void Post(Action<object?> work, object? state) => _loop.Post(work, state);

    /// <summary>
    /// Opens a non-blocking connection to <paramref name="remote"/>, from <paramref name="localAddress"/> when given (port
    /// chosen by the kernel). On success the protocol's <see cref="IConnectionProtocol.OnConnected"/> runs once
    /// the handshake completes; on failure, now or later, <see cref="IClientProtocol.OnConnectFailed"/> runs (never inside
    /// this call). Loop thread only; does nothing once <see cref="StopAsync"/> has begun.
    /// </summary>
    public void Connect(IPEndPoint remote, IPAddress? localAddress, IClientProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(protocol);
        if (!_loop.IsOnLoopThread) throw new InvalidOperationException("Connect runs on the loop thread: call it from Post or a protocol callback");
        _transport.Connect(remote, localAddress, protocol);
    }

    /// <summary>
    /// <see cref="Connect(IPEndPoint, IPAddress?, IClientProtocol)"/> over TLS: once connected, the handshake runs on the
    /// loop with a session from <paramref name="tls"/> (this loop's), and the protocol starts when it is done; a failed
    /// handshake is <see cref="ConnectError.TlsHandshake"/> (the endpoint keeps the reason). Loop thread only.
    /// </summary>
    internal void Connect(IPEndPoint remote, IPAddress? localAddress, IClientProtocol protocol, TlsClientEndpoint? tls)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(protocol);
        if (!_loop.IsOnLoopThread) throw new InvalidOperationException("Connect runs on the loop thread: call it from Post or a protocol callback");
        _transport.Connect(remote, localAddress, protocol, tls);
    }

    /// <summary>
    /// Aborts every connection and stops the loop. Protocols of open connections, and of connections still connecting,
    /// see <see cref="IConnectionProtocol.OnClosed"/> with <see cref="CloseReason.Shutdown"/>.
    /// </summary>
    public Task StopAsync()
    {
        if (!_started) return Task.CompletedTask;
        return _stopping ??= StopCoreAsync();
    }

    private async Task StopCoreAsync()
    {
        _loop.Post(static state => ((LoopTransport)state!).StopClient(), _transport);
        await _loop.Completion.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_started) StopAsync().GetAwaiter().GetResult();
        _loop.Dispose();
    }
}
