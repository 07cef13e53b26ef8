
namespace Netloop.Transport;

/// <summary>
/// A protocol for an outbound connection opened by a client loop (<c>ClientLoop.Connect</c>). Once connected it is driven like
/// any <see cref="IConnectionProtocol"/> (<see cref="IConnectionProtocol.OnConnected"/> first, where a client writes its
/// first request); if the connection cannot be made, <see cref="OnConnectFailed"/> is called instead and nothing else.
/// </summary>
public interface IClientProtocol : IConnectionProtocol
{
    /// <summary>The connection could not be made; the protocol instance is not used for anything else.</summary>
    void OnConnectFailed(ConnectError reason);
}

/// <summary>Why an outbound connect (<c>ClientLoop.Connect</c>) failed.</summary>
public enum ConnectError
{
    /// <summary>Nothing listens there (ECONNREFUSED).</summary>
    Refused,
    /// <summary>No answer before the connect timeout (or ETIMEDOUT).</summary>
    Timeout,
    /// <summary>No local port or address left to connect from (EADDRNOTAVAIL, EADDRINUSE): spread over more source addresses.</summary>
    AddressUnavailable,
    /// <summary>The process is out of file descriptors (EMFILE, ENFILE).</summary>
    TooManyOpenFiles,
    /// <summary>Any other failure (unreachable network, reset during the handshake, …).</summary>
    Other,
    /// <summary>The TCP connection was made but the TLS handshake failed (the certificate was not accepted, no protocol in common, …).</summary>
    TlsHandshake,
}
