using Netloop.Transport;

namespace Netloop.Protocols.Http1;

/// <summary>
/// The protocol's timeouts on the connection's one timer: the request-headers timeout (slowloris: a head that trickles
/// in is cut off with 408) and the minimum request-body data rate (after a grace period, a body arriving slower than
/// the limit is cut off with 408), both as in Kestrel.
/// </summary>
internal sealed partial class Http1Connection
{
    private static readonly TimeSpan s_rateCheckInterval = TimeSpan.FromSeconds(1);

    private ProtocolTimer _timer;
    // When the body began, on the loop's clock (IConnection.Clock), in milliseconds.
    private long _bodyStartMs;

    private void ResetTimers()
    {
        _timer = ProtocolTimer.None;
        _bodyStartMs = 0;
    }

    private void ArmHeadersTimer()
    {
        if (_timer == ProtocolTimer.RequestHeaders) return;
        _timer = ProtocolTimer.RequestHeaders;
        _connection.SetTimer(Limits.RequestHeadersTimeout);
    }

    private void DisarmTimer()
    {
        if (_timer == ProtocolTimer.None) return;
        _timer = ProtocolTimer.None;
        _connection.SetTimer(null);
    }

    private void StartBodyRateTimer()
    {
        if (Limits.MinRequestBodyDataRate <= 0) return;
        _bodyStartMs = _connection.Clock.NowMs;
        _timer = ProtocolTimer.BodyDataRate;
        _connection.SetTimer(s_rateCheckInterval);
    }

    public void OnTimer(IConnection connection)
    {
        int turn = EnterTurn();
        try
        {
            TimerDue(connection);
        }
        finally
        {
            ExitTurn(turn);
        }
    }

    private void TimerDue(IConnection connection)
    {
        if (IsClosing) return;
        var due = _timer;
        if (due == ProtocolTimer.RequestHeaders)
        {
            _timer = ProtocolTimer.None;
            if (!InRequest) Reject(RequestRejection.RequestHeadersTimeout);
            return;
        }
        if (due != ProtocolTimer.BodyDataRate) return;
        if (!InRequest || !BodyIncomplete || _bodyState == BodyState.Failed)
        {
            _timer = ProtocolTimer.None;
            return;
        }
        double elapsed = (connection.Clock.NowMs - _bodyStartMs) / 1000.0;
        // Time the application spends not reading (input suspended for a full buffer) is not the client's fault.
        bool clientIsSlow = _bodyState != BodyState.Suspended && elapsed > Limits.MinRequestBodyDataRateGracePeriod.TotalSeconds
            && _bodyReceived < Limits.MinRequestBodyDataRate * elapsed;
        if (clientIsSlow)
        {
            _timer = ProtocolTimer.None;
            RejectBody(RequestRejection.MinRequestBodyDataRate);
            return;
        }
        connection.SetTimer(s_rateCheckInterval);
    }
}
