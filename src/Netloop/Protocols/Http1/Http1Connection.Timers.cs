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

    private bool _headersTimerArmed;
    private bool _rateTimerArmed;
    private long _bodyStartMs;

    private void ResetTimers()
    {
        _headersTimerArmed = false;
        _rateTimerArmed = false;
        _bodyStartMs = 0;
    }

    private void ArmHeadersTimer()
    {
        if (_headersTimerArmed) return;
        _headersTimerArmed = true;
        _connection.SetTimer(Limits.RequestHeadersTimeout);
    }

    private void DisarmTimer()
    {
        if (!_headersTimerArmed && !_rateTimerArmed) return;
        _headersTimerArmed = false;
        _rateTimerArmed = false;
        _connection.SetTimer(null);
    }

    private void StartBodyRateTimer()
    {
        if (Limits.MinRequestBodyDataRate <= 0) return;
        _bodyStartMs = Environment.TickCount64;
        _rateTimerArmed = true;
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
        if (_closed) return;
        if (_headersTimerArmed)
        {
            _headersTimerArmed = false;
            if (!_inRequest) Reject(RequestRejection.RequestHeadersTimeout);
            return;
        }
        if (!_rateTimerArmed) return;
        if (!_inRequest || _bodyComplete)
        {
            _rateTimerArmed = false;
            return;
        }
        double elapsed = (Environment.TickCount64 - _bodyStartMs) / 1000.0;
        // Time the application spends not reading (input suspended for a full buffer) is not the client's fault.
        bool clientIsSlow = !_suspendedForBody && elapsed > Limits.MinRequestBodyDataRateGracePeriod.TotalSeconds
            && _bodyReceived < Limits.MinRequestBodyDataRate * elapsed;
        if (clientIsSlow)
        {
            _rateTimerArmed = false;
            RejectBody(RequestRejection.MinRequestBodyDataRate);
            return;
        }
        connection.SetTimer(s_rateCheckInterval);
    }
}
