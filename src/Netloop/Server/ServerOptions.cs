using System.Net;

namespace Netloop.Server;

/// <summary>Settings of a <see cref="NetloopServer"/>. Defaults suit a production server; tests shorten the timeouts.</summary>
public sealed class ServerOptions
{
    /// <summary>
    /// How the event loops wait for ready sockets: <see cref="Poller.Epoll"/> (the default) or <see cref="Poller.Poll"/>.
    /// On the command line and in the builder's arguments this is <c>--mode epoll|poll</c>. A value outside the enum
    /// fails <see cref="Validate"/>.
    /// </summary>
    public Poller Poller { get; set; } = Poller.Epoll;

    /// <summary>Address to listen on, IPv4 or IPv6. Default: 127.0.0.1.</summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>TCP port; 0 picks a free one (see <see cref="NetloopServer.LocalEndPoint"/>). Default: 7000.</summary>
    public int Port { get; set; } = 7000;

    /// <summary>Event loops, each on its own thread with its own listener (SO_REUSEPORT between the loops). Default: processor count.</summary>
    public int Loops { get; set; } = Environment.ProcessorCount;

    /// <summary>Most connections open at once in this process; beyond it a new connection is accepted and closed at once. Default: 10000.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>A connection that moves no byte for this long is closed. Default: 60 s. <see cref="TimeSpan.Zero"/> disables it.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A connection with output waiting is closed when the client accepts none of it for this long (nginx's
    /// <c>send_timeout</c>): the defence against slow readers, clients that request large responses and never read
    /// them, which the idle timeout does not catch while a response is in progress. The clock restarts at every byte
    /// the kernel takes, so a slow but moving client is never cut. Default: 60 s. <see cref="TimeSpan.Zero"/>
    /// disables it. Reactor modes (epoll, poll) only.
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a graceful stop lets connections finish their output before closing them. Default: 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// During a graceful stop, how long a keep-alive connection with no request in progress stays open for a request
    /// its client may already have sent (it is answered with <c>Connection: close</c>; HTTP/2 gets its GOAWAY and PING
    /// this long to be acknowledged) before the connection is closed. Busy connections are not cut by it, only by
    /// <see cref="ShutdownTimeout"/>, which also caps it. Default: 1 s. <see cref="TimeSpan.Zero"/> closes idle
    /// connections once the bytes the kernel holds are answered. Negative values are refused by <see cref="Validate"/>.
    /// </summary>
    public TimeSpan ShutdownDrainGrace { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Unsent output above which a connection stops reading until the peer catches up (backpressure). Default: 64 KiB.</summary>
    public int OutputHighWaterMark { get; set; } = 64 * 1024;

    /// <summary>listen(2) backlog. Default: 4096 (the kernel caps it at net.core.somaxconn).</summary>
    public int Backlog { get; set; } = 4096;

    /// <summary>
    /// Lets other processes listen on the same address and port (SO_REUSEPORT; the kernel spreads new connections over
    /// every listener, and only processes of the same user may join): for several server processes on one port, or a
    /// zero-downtime restart that starts the new server before stopping the old one. Default: false, the port is this
    /// server's alone: <see cref="NetloopServer.Start"/> throws <see cref="AddressInUseException"/> when any other socket
    /// (of this process or another) already listens on it, a wildcard address or an IPv6 dual-stack listener included.
    /// The event loops of one server share the port either way. Caveat: a later process that itself sets ReusePort can
    /// still join a server of several loops that did not, as the kernel allows it; the check is made at start only.
    /// </summary>
    public bool ReusePort { get; set; }

    /// <summary>Disables Nagle's algorithm on accepted connections (TCP_NODELAY). Default: true.</summary>
    public bool NoDelay { get; set; } = true;

    /// <summary>TLS (HTTPS): null (the default) serves plaintext only; see <see cref="TlsOptions"/>.</summary>
    public TlsOptions? Tls { get; set; }

    /// <summary>Limits per client address: connections, request rate, IPv6 grouping. All off by default; see <see cref="PerIpLimitOptions"/>.</summary>
    public PerIpLimitOptions PerIpLimits { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Poller)) throw new ArgumentException($"poller must be one of {PollerNames.List}, got {(int)Poller}");
        if (Port is < 0 or > 65535) throw new ArgumentException($"port must be 0-65535, got {Port}");
        if (Loops < 1) throw new ArgumentException($"loops must be at least 1, got {Loops}");
        if (MaxConnections < 1) throw new ArgumentException($"max-connections must be at least 1, got {MaxConnections}");
        if (IdleTimeout < TimeSpan.Zero) throw new ArgumentException("idle-timeout must not be negative");
        if (SendTimeout < TimeSpan.Zero) throw new ArgumentException("send-timeout must not be negative");
        if (ShutdownTimeout < TimeSpan.Zero) throw new ArgumentException("shutdown-timeout must not be negative");
        if (ShutdownDrainGrace < TimeSpan.Zero) throw new ArgumentException("drain-grace must not be negative");
        if (OutputHighWaterMark < 1024) throw new ArgumentException("output high-water mark must be at least 1024 bytes");
        if (Backlog < 1) throw new ArgumentException("backlog must be at least 1");
        Tls?.Validate();
        if (PerIpLimits is null) throw new ArgumentException("per-IP limits must not be null (leave them at their defaults for none)");
        PerIpLimits.Validate();
        if (Tls?.Port is int tlsPort && tlsPort != 0 && tlsPort == Port) throw new ArgumentException($"tls-port must differ from port ({Port}); leave tls-port out to serve TLS only on port");
    }
}
