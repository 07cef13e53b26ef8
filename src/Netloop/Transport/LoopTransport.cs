using System.Net;
using Microsoft.Extensions.Logging;
using Netloop.Reactor;
using Netloop.Transport.PerIp;
using Netloop.Transport.Tls;

namespace Netloop.Transport;

/// <summary>
/// The transport state of one reactor loop: its listener, its connections (reused objects), its counters, and the
/// graceful-shutdown sequence. Lives on the loop thread; only <see cref="Counters"/> is read from outside. A client loop
/// has no listener and no protocol factory: its connections come from <see cref="Connect"/>. The server and client code
/// above hand their settings in as values, so this layer knows neither.
/// </summary>
internal sealed class LoopTransport
{
    private readonly Stack<Connection> _spare = new();
    private readonly ILogger _logger;
    private readonly RateLimitedLog _overLimitLog;
    private readonly RateLimitedLog _acceptErrorLog;
    private readonly RateLimitedLog? _perIpLog;
    private readonly ShutdownDeadline _deadline;
    private readonly ServeLimit? _serveLimit;
    private readonly List<Listener> _listeners = [];
    private int _active;
    private bool _draining;

    /// <summary>A server loop's transport: accepted connections get <paramref name="protocols"/>' protocols.</summary>
    public LoopTransport(EventLoop loop, IConnectionProtocolFactory protocols, ConnectionLimiter limiter, ILogger logger, ConnectionSettings settings, ServeLimit? serveLimit = null, ClientAddressTable? addresses = null)
        : this(loop, protocols, limiter, logger, settings.OutputHighWaterMark, (long)settings.IdleTimeout.TotalMilliseconds, settings.NoDelay)
    {
        _serveLimit = serveLimit;
        SendTimeoutMs = (long)settings.SendTimeout.TotalMilliseconds;
        Addresses = addresses;
        if (addresses is not null) _perIpLog = new RateLimitedLog(logger, LogLevel.Warning, "per-IP limit: closing new connections");
    }

    /// <summary>A client loop's transport: no idle timeout, no connection limit.</summary>
    public LoopTransport(EventLoop loop, ILogger logger, int outputHighWaterMark, bool noDelay, TimeSpan connectTimeout)
        : this(loop, null, new ConnectionLimiter(int.MaxValue), logger, outputHighWaterMark, 0, noDelay)
    {
        ConnectTimeoutMs = (long)connectTimeout.TotalMilliseconds;
    }

    private LoopTransport(EventLoop loop, IConnectionProtocolFactory? protocols, ConnectionLimiter limiter, ILogger logger, int highWaterMark, long idleTimeoutMs, bool noDelay)
    {
        Loop = loop;
        Protocols = protocols;
        Limiter = limiter;
        _logger = logger;
        HighWaterMark = highWaterMark;
        IdleTimeoutMs = idleTimeoutMs;
        NoDelay = noDelay;
        _overLimitLog = new RateLimitedLog(logger, LogLevel.Warning, $"connection limit {limiter.Max} reached: closing new connections");
        _acceptErrorLog = new RateLimitedLog(logger, LogLevel.Error, "accept failed; pausing accepts for 100 ms");
        _deadline = new ShutdownDeadline(this);
    }

    public EventLoop Loop { get; }

    /// <summary>The accepted connections' protocol factory; null on a client loop.</summary>
    public IConnectionProtocolFactory? Protocols { get; }

    public ConnectionLimiter Limiter { get; }

    /// <summary>The per-IP limits' table, shared by the server's loops; null when no per-IP limit is set.</summary>
    public ClientAddressTable? Addresses { get; }

    public ConnectionCounters Counters { get; } = new();

    public int HighWaterMark { get; }

    public long IdleTimeoutMs { get; }

    /// <summary>How long output may wait with the peer accepting none of it; 0 is off (always on client loops).</summary>
    public long SendTimeoutMs { get; }

    public bool NoDelay { get; }

    public long ConnectTimeoutMs { get; }

    public int ActiveConnections => Volatile.Read(ref _active);

    public bool IsDraining => _draining;

    /// <summary>Starts accepting on <paramref name="listenFd"/> (called on the loop thread); a <paramref name="tls"/> listener's connections start with a handshake.</summary>
    public void Listen(int listenFd, TlsEndpoint? tls = null)
    {
        var listener = new Listener(this, listenFd, tls);
        _listeners.Add(listener);
        listener.Start();
    }

    /// <summary>Serves an accepted fd, or closes it at once when the process is at its connection limit or shutting down.</summary>
    public void OnAccepted(int fd, TlsEndpoint? tls = null)
    {
        if (_serveLimit is not null && !_serveLimit.TryTake())
        {
            // Past --limit: the server is about to stop; the connection is not served.
            Counters.Rejected++;
            Native.Sys.Close(fd);
            return;
        }
        if (_draining || !Limiter.TryAcquire())
        {
            if (!_draining)
            {
                Counters.Rejected++;
                _overLimitLog.Hit(Loop.NowMs);
            }
            Native.Sys.Close(fd);
            return;
        }
        AddressEntry? address = null;
        if (Addresses is not null && !TryAcquireAddress(fd, out address))
        {
            Limiter.Release();
            Native.Sys.Close(fd);
            return;
        }
        if (NoDelay) Native.Sys.SetOption(fd, Native.Constants.IPPROTO_TCP, Native.Constants.TCP_NODELAY, 1);
        var connection = _spare.Count > 0 ? _spare.Pop() : new Connection(this);
        Counters.Accepted++;
        Volatile.Write(ref _active, _active + 1);
        if (!connection.Start(fd, Protocols!.Create(), tls, address))
        {
            Volatile.Write(ref _active, _active - 1);
            Limiter.Release();
            if (address is not null) Addresses!.ReleaseConnection(address, Loop.NowMs);
            _spare.Push(connection);
        }
    }

    /// <summary>
    /// Counts the new connection against its client address (the per-IP table); false when the address is at its
    /// limit or the table is full, and the connection is to be closed unserved.
    /// </summary>
    private bool TryAcquireAddress(int fd, out AddressEntry? entry)
    {
        entry = null;
        // accept4 was not asked for the address (most servers never need it): one getpeername here, only with per-IP limits.
        if (Native.Sys.GetPeerName(fd, out var peer) != 0) return false;
        entry = Addresses!.TryAcquireConnection(AddressKey.From(peer, Addresses.Ipv6PrefixLength), Loop.NowMs);
        if (entry is not null) return true;
        _perIpLog!.Hit(Loop.NowMs);
        return false;
    }

    /// <summary>Opens an outbound connection (client loops); ignored once the loop is shutting down.</summary>
    public void Connect(IPEndPoint remote, IPAddress? localAddress, IClientProtocol protocol, TlsClientEndpoint? tls = null)
    {
        if (_draining) return;
        Limiter.TryAcquire();
        var connection = _spare.Count > 0 ? _spare.Pop() : new Connection(this);
        Counters.Accepted++;
        Volatile.Write(ref _active, _active + 1);
        connection.StartConnect(remote, localAddress, protocol, ConnectTimeoutMs, tls);
    }

    /// <summary>
    /// A connect failed: the connection object is free again and the protocol hears why. A failure found inside
    /// <see cref="Connect"/> is reported from posted work, so a protocol that reconnects on failure never recurses.
    /// </summary>
    public void OnConnectFailed(Connection connection, IClientProtocol protocol, ConnectError error, bool deferred)
    {
        Counters.ConnectFailures++;
        Volatile.Write(ref _active, _active - 1);
        Limiter.Release();
        _spare.Push(connection);
        if (deferred)
        {
            Loop.Post(static state =>
            {
                var (p, e) = ((IClientProtocol, ConnectError))state!;
                p.OnConnectFailed(e);
            }, (protocol, error));
        }
        else
        {
            try
            {
                protocol.OnConnectFailed(error);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "client protocol failed in OnConnectFailed");
            }
        }
        if (_draining && _active == 0) Loop.RequestStop();
    }

    public void OnAcceptError(Native.Errno errno)
    {
        Counters.AcceptPauses++;
        _acceptErrorLog.Hit(Loop.NowMs, errno == Native.Errno.EMFILE ? "too many open files (EMFILE)" : errno.ToString());
    }

    public void OnConnectionClosed(Connection connection, CloseReason reason)
    {
        if (connection.TakeAddress() is { } address) Addresses!.ReleaseConnection(address, Loop.NowMs);
        Counters.Closed++;
        Counters.Count(reason);
        Volatile.Write(ref _active, _active - 1);
        Limiter.Release();
        _spare.Push(connection);
        if (_draining && _active == 0) Loop.RequestStop();
    }

    /// <summary>
    /// Stops accepting and drains: the connections the kernel completed are accepted first (closing the listener would
    /// reset them), then the listener closes and every connection drains (<c>Connection.Drain.cs</c>): requests in
    /// flight are answered, idle connections close after the grace at <paramref name="graceDueMs"/>, and the
    /// <paramref name="deadlineMs"/> closes whatever is left.
    /// </summary>
    public void BeginShutdown(long deadlineMs, long graceDueMs)
    {
        if (_draining) return;
        foreach (var listener in _listeners) listener.AcceptBacklog();
        _draining = true;
        CloseListeners();
        graceDueMs = Math.Min(graceDueMs, deadlineMs);
        foreach (var handle in Loop.SnapshotHandles())
        {
            if (handle is Connection c) c.BeginShutdown(graceDueMs);
        }
        if (_active == 0)
        {
            Loop.RequestStop();
            return;
        }
        Loop.Timers.Schedule(_deadline, deadlineMs);
    }

    /// <summary>A client loop stops: no more connects, every connection closed now, then the loop exits.</summary>
    public void StopClient()
    {
        _draining = true;
        ForceClose();
    }

    /// <summary>The deadline passed: close whatever is still open.</summary>
    public void ForceClose()
    {
        CloseListeners();
        foreach (var handle in Loop.SnapshotHandles())
        {
            if (handle is Connection c) c.CloseNow(CloseReason.Shutdown);
        }
        Loop.RequestStop();
    }

    private void CloseListeners()
    {
        foreach (var listener in _listeners) listener.Close();
        _listeners.Clear();
    }

    /// <summary>A handshake failed: worth a debug line (scanners and old clients fail handshakes all day), and a counter.</summary>
    public void LogTlsFailure(long connectionId, string? reason) =>
        _logger.LogDebug("connection {Id}: TLS handshake failed: {Reason}", connectionId, reason ?? "unknown");

    public void LogProtocolError(Exception e, long connectionId) =>
        _logger.LogError(e, "connection {Id}: protocol failed; closing it", connectionId);

    public void LogInputOverflow(long connectionId) =>
        _logger.LogWarning("connection {Id}: protocol left more than {Max} bytes unconsumed; closing it", connectionId, Buffers.BufferPool.MaxBlockSize);

    private sealed class ShutdownDeadline(LoopTransport transport) : TimerEntry
    {
        protected internal override void OnTimer(long nowMs) => transport.ForceClose();
    }
}
