namespace Netloop.Transport;

/// <summary>
/// The graceful stop of one connection. A request the client has already sent must be answered, not cut: under a
/// keep-alive load, closing every connection once its output is out reset the requests then on the wire. So the
/// connection first serves what the kernel holds, then lets a protocol that knows how (<see cref="IGracefulShutdown"/>:
/// HTTP/1.1's <c>Connection: close</c>, HTTP/2's GOAWAY) end it at a request boundary, and keeps reading meanwhile.
/// One that stays idle through the drain grace (<c>ServerOptions.ShutdownDrainGrace</c>) is closed then, after one
/// more read, so a request that arrived in the meantime is still answered. The loop's shutdown deadline bounds it all.
/// Other protocols close as soon as their output is out.
/// </summary>
internal sealed unsafe partial class Connection
{
    private long _drainDueMs = long.MaxValue;

    /// <inheritdoc/>
    public bool IsDraining => (_state & State.Draining) != 0;

    /// <summary>The server is stopping: drain this connection (see the type's summary); the grace ends at <paramref name="graceDueMs"/>.</summary>
    public void BeginShutdown(long graceDueMs)
    {
        if (!IsOpen || IsDraining) return;
        _state |= State.Draining;
        if (IsConnecting)
        {
            CloseNow(CloseReason.Shutdown);
            return;
        }
        _drainDueMs = graceDueMs;
        if (!IsScheduled || DueMs > graceDueMs) _loop.Timers.Schedule(this, graceDueMs);
        // A handshake in progress goes on; the protocol it starts drains from its first byte (StartProtocol).
        if (IsHandshaking) return;
        // Bytes the kernel has already taken from the peer are served, not dropped; the protocol sees IsDraining.
        ReadWhatTheKernelHolds();
        if (!IsOpen) return;
        DrainProtocol();
    }

    /// <summary>Hands the drain to the protocol, or closes the connection once its output is out when the protocol cannot drain.</summary>
    private void DrainProtocol()
    {
        if ((_state & State.Closing) != 0) return;
        if (_protocol is IGracefulShutdown graceful)
        {
            _inProtocolCall = true;
            bool takenOver;
            try
            {
                takenOver = graceful.BeginShutdown(this);
            }
            catch (Exception e)
            {
                FailProtocol(e);
                return;
            }
            _inProtocolCall = false;
            if (!IsOpen) return;
            if (takenOver)
            {
                if (HasPendingOutput || (_state & State.Closing) != 0) _loop.ScheduleFlush(this);
                return;
            }
        }
        if (!HasPendingOutput) CloseNow(CloseReason.Shutdown);
        else _state |= State.Closing;
    }

    /// <summary>The drain grace is over: read once more (a request that arrived is answered), then let the protocol close an idle connection.</summary>
    private void OnDrainGraceElapsed()
    {
        _drainDueMs = long.MaxValue;
        if (IsHandshaking)
        {
            CloseNow(CloseReason.Shutdown);
            return;
        }
        ReadWhatTheKernelHolds();
        if (!IsOpen || (_state & State.Closing) != 0 || _protocol is not IGracefulShutdown graceful) return;
        _inProtocolCall = true;
        try
        {
            graceful.OnDrainGraceElapsed(this);
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

    /// <summary>Reads until the socket is drained, unless the protocol is not reading (a handler at work) or the peer finished.</summary>
    private void ReadWhatTheKernelHolds()
    {
        if ((_state & (State.InputCompleted | State.InputSuspended | State.Connecting | State.Closing)) != 0) return;
        _state |= State.ReadPending;
        ReadAvailable();
    }
}
