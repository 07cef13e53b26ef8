namespace Netloop.Transport;

/// <summary>
/// A protocol that can end a connection gracefully on server shutdown (HTTP/2: GOAWAY, let the streams in flight
/// finish, then close) instead of having the transport close it once its output is sent.
/// </summary>
internal interface IGracefulShutdown
{
    /// <summary>
    /// The server is stopping. Return true when the protocol takes over and will close the connection itself (the
    /// transport keeps reading and closes it at the shutdown deadline at the latest); false to let the transport close
    /// it as it does for other protocols.
    /// </summary>
    bool BeginShutdown(IConnection connection);
}
