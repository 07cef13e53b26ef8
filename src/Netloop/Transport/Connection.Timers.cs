using Netloop.Protocols;

namespace Netloop.Transport;

/// <summary>
/// The connection's one wheel entry serves two deadlines: the idle timeout and the protocol's timer. The idle deadline
/// is lazy: activity only records a time, and the entry, when it fires early, moves itself to the real deadline.
/// Suspended input counts as activity: the protocol is working, not waiting for the peer. A third deadline, the send
/// timeout, runs only while output waits on a full socket (EPOLLOUT armed) and restarts at every byte the peer takes.
/// </summary>
internal sealed partial class Connection
{
    private long _lastActivityMs;
    private long _protocolDueMs = long.MaxValue;
    private long _lastSendProgressMs;

    /// <remarks>Call on the connection's loop thread (inside a protocol call or posted work).</remarks>
    public void SetTimer(TimeSpan? dueIn)
    {
        if (!IsOpen) return;
        if (dueIn is null)
        {
            // The wheel entry may still fire at the old time; it finds nothing due and moves on.
            _protocolDueMs = long.MaxValue;
            return;
        }
        _protocolDueMs = _loop.NowMs + (long)Math.Max(0, dueIn.Value.TotalMilliseconds);
        if (!IsScheduled || DueMs > _protocolDueMs) _loop.Timers.Schedule(this, _protocolDueMs);
    }

    protected internal override void OnTimer(long nowMs)
    {
        if (!IsOpen) return;
        if (IsHandshaking && _protocolDueMs <= nowMs)
        {
            OnHandshakeTimeout();
            return;
        }
        if (IsConnecting)
        {
            if (_protocolDueMs <= nowMs) FailConnect(ConnectError.Timeout);
            else _loop.Timers.Schedule(this, _protocolDueMs);
            return;
        }
        if (_protocolDueMs <= nowMs && !IsHandshaking)
        {
            _protocolDueMs = long.MaxValue;
            _inProtocolCall = true;
            try
            {
                _protocol.OnTimer(this);
            }
            catch (Exception e)
            {
                FailProtocol(e);
                return;
            }
            _inProtocolCall = false;
            if (!IsOpen) return;
            if (HasPendingOutput || (_state & State.Closing) != 0) _loop.ScheduleFlush(this);
        }
        long sendDueMs = SendDueMs;
        if (sendDueMs <= nowMs)
        {
            // nginx's send_timeout: the client stopped reading. No farewell: it would only queue behind what it refuses.
            CloseNow(CloseReason.SendTimeout);
            return;
        }
        long idleMs = _transport.IdleTimeoutMs;
        // A connection whose protocol suspended input is busy (a handler is running), not idle: the protocol's own
        // timer bounds that wait, so the idle clock restarts from now.
        if ((_state & State.InputSuspended) != 0 || _protocol is IIdleTimeoutAware { IsBusy: true }) _lastActivityMs = nowMs;
        long idleDueMs = idleMs > 0 ? _lastActivityMs + idleMs : long.MaxValue;
        if (idleDueMs <= nowMs)
        {
            SayGoodbyeBeforeIdleClose();
            CloseNow(CloseReason.IdleTimeout);
            return;
        }
        long next = Math.Min(Math.Min(idleDueMs, _protocolDueMs), sendDueMs);
        if (next != long.MaxValue) _loop.Timers.Schedule(this, next);
    }

    /// <summary>When the send timeout closes the connection; never while no output waits on the peer.</summary>
    private long SendDueMs
    {
        get
        {
            long sendMs = _transport.SendTimeoutMs;
            return sendMs > 0 && (_state & State.WriteArmed) != 0 ? _lastSendProgressMs + sendMs : long.MaxValue;
        }
    }

    /// <summary>Output starts waiting on a full socket: the send timeout counts from now (each byte sent restarts it).</summary>
    private void StartSendWait()
    {
        _lastSendProgressMs = _loop.NowMs;
        long due = SendDueMs;
        if (due != long.MaxValue && (!IsScheduled || DueMs > due)) _loop.Timers.Schedule(this, due);
    }

    private void ScheduleIdleTimer()
    {
        long idleMs = _transport.IdleTimeoutMs;
        if (idleMs > 0) _loop.Timers.Schedule(this, _lastActivityMs + idleMs);
    }

    /// <summary>Lets a protocol that wants to (HTTP/2's GOAWAY) write a farewell, and sends it if the socket takes it now; never waits.</summary>
    private void SayGoodbyeBeforeIdleClose()
    {
        if (_protocol is not IIdleTimeoutAware aware) return;
        _inProtocolCall = true;
        try
        {
            aware.OnIdleTimeout(this);
        }
        catch (Exception e)
        {
            FailProtocol(e);
            return;
        }
        _inProtocolCall = false;
        if (IsOpen && HasPendingOutput && (_state & State.WriteArmed) == 0) FlushNow();
    }
}
