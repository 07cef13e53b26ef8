using Netloop.Transport.Tls;

namespace Netloop.Transport;

/// <summary>
/// TLS on outbound connections (a client loop's, to an https target): once connect(2) has succeeded the connection runs
/// the client side of the handshake on the loop, still counting as connecting (the connect timeout bounds both), and
/// starts its protocol when the handshake is done; a handshake that fails is a failed connect
/// (<see cref="ConnectError.TlsHandshake"/>). From then on reads and writes go through the session, as on the server.
/// </summary>
internal sealed partial class Connection
{
    /// <summary>The loop's TLS client endpoint when this outbound connection speaks TLS; null otherwise.</summary>
    private TlsClientEndpoint? _tlsClient;

    private void StartClientTls()
    {
        var endpoint = _tlsClient!;
        var session = _spareTls ?? new TlsSession();
        _spareTls = null;
        if (!session.Start(endpoint.NewSession(_fd)))
        {
            _spareTls = session;
            endpoint.OnHandshakeFailed(null, "OpenSSL could not make a session");
            FailConnect(ConnectError.TlsHandshake);
            return;
        }
        _tls = session;
        // The connect's write interest is done with; from here the handshake says what it waits for.
        UpdateInterest();
        if (IsOpen) ContinueClientHandshake();
    }

    private void ContinueClientHandshake()
    {
        var tls = _tls!;
        switch (tls.Handshake())
        {
            case TlsStep.WantRead:
                if ((_state & State.WriteArmed) != 0) DisarmWrite();
                return;
            case TlsStep.WantWrite:
                ArmWrite();
                return;
            case TlsStep.Failed:
                _tlsClient!.OnHandshakeFailed(tls, tls.FailureReason);
                FailConnect(ConnectError.TlsHandshake);
                return;
        }
        _tlsClient!.OnHandshakeDone(tls);
        FinishConnect();
        // Bytes read with the handshake's last records (read-ahead) sit in OpenSSL, and no new edge will announce them.
        if (IsOpen && tls.HasPending) ReadAvailable();
    }

    /// <summary>A connect failed or timed out during the handshake: the session goes back to spare, no close_notify.</summary>
    private void EndClientTls()
    {
        var tls = _tls;
        if (tls is null) return;
        tls.End();
        _tls = null;
        _spareTls = tls;
    }
}
