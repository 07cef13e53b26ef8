using Microsoft.Extensions.Logging;
using Netloop.Http;
using Netloop.Transport;

namespace Netloop.Protocols.Http2;

/// <summary>
/// The connection's life: the server preface, the preface and flow-control stall timeouts (one protocol timer), GOAWAY
/// for errors and limits, and the graceful shutdown of RFC 9113 §6.8 — announce with the highest stream id, confirm
/// with a PING round trip, then the final GOAWAY with the last stream the server will serve; the streams in flight
/// finish and the connection closes.
/// </summary>
internal sealed partial class Http2Connection
{
    /// <summary>The PING payload of the shutdown's round trip, so its ACK is recognised.</summary>
    private const ulong ShutdownPingPayload = 0x6e65746c6f6f7030; // "netloop0"

    // GOAWAY sent: streams above _goAwayLastStreamId are ignored; once none is active the connection closes.
    private bool _goingAway;
    private int _goAwayLastStreamId = int.MaxValue;
    private bool _finalGoAwaySent;
    // The client sent GOAWAY or half-closed: no new streams will come.
    private bool _clientGoneAway;

    private long _prefaceDeadlineMs = long.MaxValue;
    private long _stallDeadlineMs = long.MaxValue;

    private void WriteServerPreface()
    {
        // §3.4: the server's preface is a SETTINGS frame; ENABLE_PUSH 0 says this server never pushes (§8.4).
        Span<(Http2SettingId, uint)> settings =
        [
            (Http2SettingId.MaxConcurrentStreams, (uint)_limits.MaxConcurrentStreams),
            (Http2SettingId.InitialWindowSize, (uint)_limits.InitialStreamWindowSize),
            (Http2SettingId.MaxFrameSize, (uint)_limits.MaxFrameSize),
            (Http2SettingId.MaxHeaderListSize, (uint)_limits.MaxHeaderListSize),
            (Http2SettingId.HeaderTableSize, (uint)_limits.HeaderTableSize),
            (Http2SettingId.EnablePush, 0),
        ];
        Http2FrameWriter.WriteSettings(_connection.Output, settings);
        int raise = _limits.InitialConnectionWindowSize - DefaultWindow;
        if (raise > 0)
        {
            Http2FrameWriter.WriteWindowUpdate(_connection.Output, 0, raise);
            _receiveWindow += raise;
        }
        _connection.Flush();
    }

    private void ArmPrefaceTimer()
    {
        _prefaceDeadlineMs = NowMs + (long)_limits.PrefaceTimeout.TotalMilliseconds;
        ArmTimer();
    }

    private void DisarmPrefaceTimer()
    {
        _prefaceDeadlineMs = long.MaxValue;
        ArmTimer();
    }

    /// <summary>Keeps the stall deadline in step with the streams waiting on a window the client keeps closed.</summary>
    private void UpdateStallTimer()
    {
        long deadline = long.MaxValue;
        if (_sendQueue is { Count: > 0 } queue)
        {
            long now = NowMs;
            long timeout = (long)_limits.FlowControlStallTimeout.TotalMilliseconds;
            if (_sendWindow <= 0)
            {
                if (_connectionStalledSinceMs == long.MaxValue) _connectionStalledSinceMs = now;
                deadline = _connectionStalledSinceMs + timeout;
            }
            else
            {
                _connectionStalledSinceMs = long.MaxValue;
            }
            foreach (var stream in queue)
            {
                if (stream.SendWindow <= 0)
                {
                    if (stream.StalledSinceMs == long.MaxValue) stream.StalledSinceMs = now;
                    deadline = Math.Min(deadline, stream.StalledSinceMs + timeout);
                }
                else
                {
                    stream.StalledSinceMs = long.MaxValue;
                }
            }
        }
        else
        {
            _connectionStalledSinceMs = long.MaxValue;
        }
        if (deadline == _stallDeadlineMs) return;
        _stallDeadlineMs = deadline;
        ArmTimer();
    }

    private long _connectionStalledSinceMs = long.MaxValue;
    private long _armedMs = long.MaxValue;

    private void ArmTimer()
    {
        if (IsClosed) return;
        long due = Math.Min(_prefaceDeadlineMs, _stallDeadlineMs);
        if (due == _armedMs) return;
        _armedMs = due;
        _connection.SetTimer(due == long.MaxValue ? null : TimeSpan.FromMilliseconds(Math.Max(0, due - NowMs)));
    }

    public void OnTimer(IConnection connection)
    {
        int turn = EnterTurn();
        try
        {
            _armedMs = long.MaxValue;
            TimerDue();
            if (!IsClosed) ArmTimer();
        }
        finally
        {
            ExitTurn(turn);
        }
    }

    private void TimerDue()
    {
        long now = NowMs;
        if (now >= _prefaceDeadlineMs)
        {
            Interlocked.Increment(ref Counters.PrefaceTimeouts);
            Logger.LogDebug("connection {Id}: HTTP/2 preface not received within {Timeout}; closing it", _connection.Id, _limits.PrefaceTimeout);
            ConnectionError(Http2ErrorCode.SettingsTimeout, "the client preface and SETTINGS did not arrive in time", logged: true);
            return;
        }
        if (now < _stallDeadlineMs) return;
        long timeout = (long)_limits.FlowControlStallTimeout.TotalMilliseconds;
        if (_connectionStalledSinceMs != long.MaxValue && now - _connectionStalledSinceMs >= timeout)
        {
            Interlocked.Increment(ref Counters.FlowControlStalls);
            Logger.LogWarning("connection {Id}: HTTP/2 flow-control stall: the connection window stayed closed for {Timeout}; closing it", _connection.Id, _limits.FlowControlStallTimeout);
            ConnectionError(Http2ErrorCode.FlowControlError, "the connection window stayed closed", logged: true);
            return;
        }
        if (_sendQueue is { } queue)
        {
            for (int i = queue.Count - 1; i >= 0 && i < queue.Count; i--)
            {
                var stream = queue[i];
                if (stream.StalledSinceMs == long.MaxValue || now - stream.StalledSinceMs < timeout) continue;
                Interlocked.Increment(ref Counters.FlowControlStalls);
                Logger.LogWarning("connection {Id}: HTTP/2 flow-control stall: stream {Stream}'s window stayed closed for {Timeout}; resetting it", _connection.Id, stream.Id, _limits.FlowControlStallTimeout);
                Http2FrameWriter.WriteRstStream(_connection.Output, stream.Id, Http2ErrorCode.Cancel);
                RememberReset(stream.Id);
                CloseStream(stream, new ClientDisconnectedException($"stream {stream.Id}'s flow-control window stayed closed"));
                if (IsClosed) return;
            }
        }
        _stallDeadlineMs = long.MaxValue;
        UpdateStallTimer();
    }

    /// <summary>A connection error (§5.4.1): GOAWAY with the last stream processed and <paramref name="code"/>, then close.</summary>
    private void ConnectionError(Http2ErrorCode code, string reason, bool logged = false)
    {
        if (IsClosed) return;
        if (!logged)
        {
            Interlocked.Increment(ref Counters.ProtocolErrors);
            Logger.LogDebug("connection {Id}: HTTP/2 connection error {Code}: {Reason}", _connection.Id, code, reason);
        }
        Http2FrameWriter.WriteGoAway(_connection.Output, _lastClientStreamId, code, reason);
        _phase = Phase.Closed;
        DropHeaderBlock();
        _connection.Close();
    }

    private void CloseConnection()
    {
        if (IsClosed) return;
        if (!_finalGoAwaySent) Http2FrameWriter.WriteGoAway(_connection.Output, Math.Min(_lastClientStreamId, _goAwayLastStreamId), Http2ErrorCode.NoError, null);
        _phase = Phase.Closed;
        _connection.Close();
    }

    private void OnLastStreamClosed()
    {
        if ((_goingAway && _finalGoAwaySent) || _clientGoneAway) CloseConnection();
    }

    /// <summary>The connection served its lifetime's streams: GOAWAY(NO_ERROR) naming the last one; the client reconnects for more.</summary>
    private void ReachedStreamLimit()
    {
        Interlocked.Increment(ref Counters.StreamLimitGoAways);
        Logger.LogDebug("connection {Id}: HTTP/2 served {Count} streams, its limit; sending GOAWAY", _connection.Id, _streamsOpened);
        SendFinalGoAway(_lastClientStreamId);
    }

    private void SendFinalGoAway(int lastStreamId)
    {
        if (_finalGoAwaySent) return;
        _goingAway = true;
        _finalGoAwaySent = true;
        _goAwayLastStreamId = Math.Min(lastStreamId, _goAwayLastStreamId);
        Http2FrameWriter.WriteGoAway(_connection.Output, _goAwayLastStreamId, Http2ErrorCode.NoError, null);
        _connection.Flush();
    }

    /// <summary>Streams in progress (the flow-control stall timeout bounds those waiting on the client) keep the connection from idling out.</summary>
    bool IIdleTimeoutAware.IsBusy => ActiveStreamCount > 0 || _detachedHandlers > 0;

    void IIdleTimeoutAware.OnIdleTimeout(IConnection connection)
    {
        if (IsClosed) return;
        // Nothing moved for the idle timeout: streams still open are abandoned; the last stream id tells the client which
        // of its requests were processed.
        Http2FrameWriter.WriteGoAway(_connection.Output, _lastClientStreamId, Http2ErrorCode.NoError, "idle timeout");
        _finalGoAwaySent = true;
        _phase = Phase.Closed;
    }

    bool IGracefulShutdown.BeginShutdown(IConnection connection)
    {
        int turn = EnterTurn();
        try
        {
            if (IsClosed) return true;
            if (_phase != Phase.Open)
            {
                SendFinalGoAway(_lastClientStreamId);
                CloseConnection();
                return true;
            }
            // §6.8: first a GOAWAY with the highest id, so requests already on their way are not refused; a PING
            // round trip later (or the drain grace, for a client that never answers), the final GOAWAY names the last
            // stream that will be served. Even with no stream open: closing at once would reset a HEADERS frame on
            // the wire, which the client counts as sent and never answered.
            _goingAway = true;
            Http2FrameWriter.WriteGoAway(_connection.Output, int.MaxValue, Http2ErrorCode.NoError, null);
            Span<byte> ping = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(ping, ShutdownPingPayload);
            WritePing(ping);
            return true;
        }
        finally
        {
            ExitTurn(turn);
        }
    }

    void IGracefulShutdown.OnDrainGraceElapsed(IConnection connection)
    {
        int turn = EnterTurn();
        try
        {
            if (IsClosed || !_goingAway || _finalGoAwaySent) return;
            // The PING went unanswered through the grace: name the last stream now; those open finish.
            SendFinalGoAway(_lastClientStreamId);
            if (ActiveStreamCount == 0) CloseConnection();
        }
        finally
        {
            ExitTurn(turn);
        }
    }

    private void WritePing(ReadOnlySpan<byte> opaque)
    {
        var span = _connection.Output.GetSpan(Http2FrameHeader.Size + 8);
        Http2FrameHeader.Write(span, 8, Http2FrameType.Ping, Http2Flags.None, 0);
        opaque.CopyTo(span[Http2FrameHeader.Size..]);
        _connection.Output.Advance(Http2FrameHeader.Size + 8);
    }

    private void OnShutdownPingAcknowledged()
    {
        if (!_goingAway || _finalGoAwaySent) return;
        SendFinalGoAway(_lastClientStreamId);
        if (ActiveStreamCount == 0) CloseConnection();
    }
}
