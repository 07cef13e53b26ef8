using System.Net;
using Netloop.Native;
using Netloop.Reactor;
using Netloop.Transport.Tls;
using static Netloop.Native.Constants;

namespace Netloop.Transport;

/// <summary>
/// Outbound connections (the client loop's): a non-blocking connect registered for
/// writability; when the socket becomes writable SO_ERROR tells how the handshake ended, and from then on the
/// connection is an ordinary one. The connect deadline borrows the protocol timer slot, which is free until
/// <see cref="IConnectionProtocol.OnConnected"/>; on a TLS target it bounds the TLS handshake too, which runs while the
/// connection still counts as connecting (<c>Connection.TlsClient.cs</c>).
/// </summary>
internal sealed partial class Connection
{
    private bool IsConnecting => (_state & State.Connecting) != 0;

    /// <summary>Opens a socket to <paramref name="remote"/> and starts the handshake; failures reach the protocol later, from the loop.</summary>
    public void StartConnect(IPEndPoint remote, IPAddress? localAddress, IClientProtocol protocol, long connectTimeoutMs, TlsClientEndpoint? tls = null)
    {
        _tlsClient = tls;
        int fd = Sys.Socket(remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? AF_INET6 : AF_INET);
        if (fd < 0)
        {
            _transport.OnConnectFailed(this, protocol, ConnectErrors.From((Errno)(-fd)), deferred: true);
            return;
        }
        int rc = 0;
        if (localAddress is not null)
        {
            // Without IP_BIND_ADDRESS_NO_PORT, bind(port 0) reserves a port for every destination and one source address
            // runs out of ports far sooner; with it the port is chosen at connect time, per destination.
            Sys.SetOption(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1);
            rc = Sys.Bind(fd, SocketAddressBuffer.From(new IPEndPoint(localAddress, 0)));
        }
        if (rc == 0)
        {
            if (_transport.NoDelay) Sys.SetOption(fd, IPPROTO_TCP, TCP_NODELAY, 1);
            rc = Sys.Connect(fd, SocketAddressBuffer.From(remote));
            if (rc == -(int)Errno.EINPROGRESS) rc = 0;
        }
        if (rc == 0)
        {
            // Writable means the handshake ended, either way; reading starts once it succeeded.
            var interest = _loop.IsEdgeTriggered ? Interest.Read | Interest.Write | Interest.EdgeTriggered : Interest.Write;
            rc = _loop.Register(this, fd, interest);
        }
        if (rc < 0)
        {
            Sys.Close(fd);
            _transport.OnConnectFailed(this, protocol, ConnectErrors.From((Errno)(-rc)), deferred: true);
            return;
        }

        _fd = fd;
        _state = State.Open | State.Connecting;
        _remote = remote;
        _protocol = protocol;
        Id = Interlocked.Increment(ref s_nextId);
        _lastActivityMs = _loop.NowMs;
        _protocolDueMs = _loop.NowMs + connectTimeoutMs;
        _loop.Timers.Schedule(this, _protocolDueMs);
    }

    /// <summary>The socket became writable (or failed) while connecting: finish the handshake one way or the other.</summary>
    private void CompleteConnect()
    {
        if (_tls is not null)
        {
            ContinueClientHandshake();
            return;
        }
        Sys.GetOption(_fd, SOL_SOCKET, SO_ERROR, out int error);
        if (error != 0)
        {
            FailConnect(ConnectErrors.From((Errno)error));
            return;
        }
        if (_tlsClient is not null)
        {
            StartClientTls();
            return;
        }
        FinishConnect();
    }

    /// <summary>Connected (and, on a TLS target, the handshake done): the protocol starts.</summary>
    private void FinishConnect()
    {
        _state &= ~(State.Connecting | State.WriteArmed);
        _protocolDueMs = long.MaxValue;
        UpdateInterest();
        if (!IsOpen) return;
        _state |= State.ReadPending;
        ScheduleIdleTimer();
        StartProtocol();
    }

    /// <summary>The handshake failed or timed out: give the fd and this object back, then tell the protocol.</summary>
    private void FailConnect(ConnectError error)
    {
        var protocol = (IClientProtocol)_protocol;
        EndClientTls();
        _state = State.None;
        _loop.Unregister(this, _fd, fdStaysOpen: false);
        Sys.Close(_fd);
        _fd = -1;
        _protocol = null!;
        _protocolDueMs = long.MaxValue;
        _transport.OnConnectFailed(this, protocol, error, deferred: false);
    }
}

/// <summary>Maps connect(2) and SO_ERROR values to <see cref="ConnectError"/>.</summary>
internal static class ConnectErrors
{
    public static ConnectError From(Errno errno) => errno switch
    {
        Errno.ECONNREFUSED => ConnectError.Refused,
        Errno.ETIMEDOUT => ConnectError.Timeout,
        Errno.EADDRNOTAVAIL or Errno.EADDRINUSE => ConnectError.AddressUnavailable,
        Errno.EMFILE or Errno.ENFILE => ConnectError.TooManyOpenFiles,
        _ => ConnectError.Other,
    };
}
