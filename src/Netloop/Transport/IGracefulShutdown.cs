namespace Netloop.Transport;

/// <summary>
/// A protocol that can end a connection gracefully on server shutdown at a request boundary (HTTP/1.1: the next
/// response carries <c>Connection: close</c>; HTTP/2: GOAWAY, let the streams in flight finish, then close) instead of
/// having the transport close it once its output is sent, which races requests already on the wire.
/// </summary>
internal interface IGracefulShutdown
{
    /// <summary>
    /// The server is stopping (the bytes the kernel held have been delivered already). Return true when the protocol
    /// takes over and will close the connection itself (the transport keeps reading, calls
    /// <see cref="OnDrainGraceElapsed"/> after the drain grace and closes it at the shutdown deadline at the latest);
    /// false to let the transport close it once its output is out.
    /// </summary>
    bool BeginShutdown(IConnection connection);

    /// <summary>
    /// The drain grace has passed (and the transport has just read what the kernel held): close the connection if it has
    /// no request in progress. A request still in progress is left to finish.
    /// </summary>
    void OnDrainGraceElapsed(IConnection connection);
}
