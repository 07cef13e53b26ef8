using Netloop.Transport;

namespace Netloop.Protocols.Http1;

/// <summary>
/// The graceful stop (RFC 9112 §9.6): the request in progress, or the next one to arrive, is answered with
/// <c>Connection: close</c> and the connection closes once that response is out (see <see cref="ServerDraining"/> in
/// <c>WriteHead</c> and <c>EndRequest</c>). A connection with no request under way is closed when the transport's drain
/// grace passes; a head still arriving then is left to finish, bounded by the shutdown deadline.
/// </summary>
internal sealed partial class Http1Connection
{
    /// <summary>The server is stopping: the response to write is this connection's last.</summary>
    private bool ServerDraining => _connection is IDrainingConnection { IsDraining: true };

    // Nothing to do now: the response written next carries Connection: close, and EndRequest closes after it.
    bool IGracefulShutdown.BeginShutdown(IConnection connection) => true;

    void IGracefulShutdown.OnDrainGraceElapsed(IConnection connection)
    {
        int turn = EnterTurn();
        try
        {
            if (!IsClosing && !InRequest && _parser is null && !_handlerRunning) CloseConnection();
        }
        finally
        {
            ExitTurn(turn);
        }
    }
}
