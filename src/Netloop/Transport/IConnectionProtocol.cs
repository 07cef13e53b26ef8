namespace Netloop.Transport;

/// <summary>
/// A connection's protocol state machine: bytes in, bytes out. One instance serves one connection (a stateless protocol
/// may share one instance), and every call for a connection comes from one thread at a time.
/// </summary>
public interface IConnectionProtocol
{
    /// <summary>The connection was accepted; a protocol that speaks first writes to <see cref="IConnection.Output"/> here.</summary>
    void OnConnected(IConnection connection)
    {
    }

    /// <summary>
    /// Bytes arrived. <paramref name="data"/> starts with whatever the previous call left unconsumed. Return how many bytes
    /// were consumed; the rest are kept and offered again, with more after them, on the next call. The span is only valid during the call.
    /// </summary>
    int OnReceived(IConnection connection, ReadOnlySpan<byte> data);

    /// <summary>The peer finished sending (it half-closed). By default the connection closes once its output is sent.</summary>
    void OnInputCompleted(IConnection connection) => connection.Close();

    /// <summary>The timer armed with <see cref="IConnection.SetTimer"/> is due (a request-headers timeout, say).</summary>
    void OnTimer(IConnection connection)
    {
    }

    /// <summary>The connection is gone; release what the protocol holds for it.</summary>
    void OnClosed(IConnection connection, CloseReason reason)
    {
    }
}

/// <summary>Creates the protocol for each accepted connection.</summary>
public interface IConnectionProtocolFactory
{
    /// <summary>The protocol's name, for logs (<c>echo</c>, <c>http</c>).</summary>
    string Name { get; }

    /// <summary>The protocol instance for a new connection.</summary>
    IConnectionProtocol Create();
}

/// <summary>Why a connection ended.</summary>
public enum CloseReason
{
    /// <summary>The protocol or the application closed it.</summary>
    Local,
    /// <summary>The peer closed its side and all output was sent.</summary>
    PeerClosed,
    /// <summary>The peer reset the connection, or a send failed because it was gone.</summary>
    Reset,
    /// <summary>No bytes moved for the idle timeout.</summary>
    IdleTimeout,
    /// <summary>The server shut down.</summary>
    Shutdown,
    /// <summary>The connection limit was reached when it arrived.</summary>
    Rejected,
    /// <summary>A protocol error or an unexpected failure.</summary>
    Error,
    /// <summary>Output was waiting and the peer accepted none of it for <c>ServerOptions.SendTimeout</c> (a client that stopped reading).</summary>
    SendTimeout,
}
