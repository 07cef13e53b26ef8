using System.Buffers.Binary;
using Netloop.Http;

namespace Netloop.Protocols.Http2;

/// <summary>The control frames: SETTINGS, PING, GOAWAY, WINDOW_UPDATE, PRIORITY and RST_STREAM (RFC 9113 §6).</summary>
internal sealed partial class Http2Connection
{
    private const int DefaultWindow = 65_535;
    private const int DefaultHeaderTableSize = 4096;

    private int _peerMaxFrameSize = Http2FrameHeader.DefaultMaxFrameSize;
    private int _peerInitialWindowSize = DefaultWindow;

    private void OnSettings(Http2FrameHeader frame, ReadOnlySpan<byte> payload)
    {
        if (frame.StreamId != 0)
        {
            ConnectionError(Http2ErrorCode.ProtocolError, "SETTINGS on a stream");
            return;
        }
        if (frame.HasFlag(Http2Flags.Ack))
        {
            // §6.5: an acknowledgement carries nothing.
            if (frame.Length != 0) ConnectionError(Http2ErrorCode.FrameSizeError, "a SETTINGS acknowledgement with a payload");
            return;
        }
        if (frame.Length % 6 != 0)
        {
            ConnectionError(Http2ErrorCode.FrameSizeError, "a SETTINGS frame whose length is not a multiple of 6");
            return;
        }
        if (!SpendSettings()) return;
        ApplySettings(payload, acknowledge: true);
    }

    /// <summary>Applies the client's settings (§6.5.2); false after a connection error for an invalid value.</summary>
    private bool ApplySettings(ReadOnlySpan<byte> payload, bool acknowledge)
    {
        for (int i = 0; i + 6 <= payload.Length; i += 6)
        {
            var id = (Http2SettingId)BinaryPrimitives.ReadUInt16BigEndian(payload[i..]);
            uint value = BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]);
            switch (id)
            {
                case Http2SettingId.HeaderTableSize:
                    // The table our encoder may use; ours stays at most 4 KiB whatever the client allows.
                    _peerHeaderTableSize = (int)Math.Min(value, DefaultHeaderTableSize);
                    _encoder?.SetMaxTableSize(_peerHeaderTableSize);
                    break;
                case Http2SettingId.EnablePush:
                    if (value > 1)
                    {
                        ConnectionError(Http2ErrorCode.ProtocolError, $"SETTINGS_ENABLE_PUSH {value} is neither 0 nor 1");
                        return false;
                    }
                    break;
                case Http2SettingId.InitialWindowSize:
                    if (value > int.MaxValue)
                    {
                        ConnectionError(Http2ErrorCode.FlowControlError, $"SETTINGS_INITIAL_WINDOW_SIZE {value} is above 2^31-1");
                        return false;
                    }
                    if (!ChangeInitialSendWindow((int)value)) return false;
                    break;
                case Http2SettingId.MaxFrameSize:
                    if (value < Http2FrameHeader.DefaultMaxFrameSize || value > Http2FrameHeader.MaxAllowedFrameSize)
                    {
                        ConnectionError(Http2ErrorCode.ProtocolError, $"SETTINGS_MAX_FRAME_SIZE {value} is outside 16384..16777215");
                        return false;
                    }
                    _peerMaxFrameSize = (int)value;
                    break;
                default:
                    // MAX_CONCURRENT_STREAMS limits pushes, which the server never makes; MAX_HEADER_LIST_SIZE is
                    // advisory; unknown identifiers must be ignored (§6.5.2).
                    break;
            }
        }
        if (acknowledge) Http2FrameWriter.WriteSettingsAck(_connection.Output);
        return true;
    }

    private int _peerHeaderTableSize = DefaultHeaderTableSize;

    /// <summary>§6.9.2: a new SETTINGS_INITIAL_WINDOW_SIZE moves every open stream's send window by the difference.</summary>
    private bool ChangeInitialSendWindow(int value)
    {
        int delta = value - _peerInitialWindowSize;
        _peerInitialWindowSize = value;
        if (delta == 0 || _streams is null) return true;
        foreach (var stream in _streams.Values)
        {
            long window = stream.SendWindow + delta;
            if (window > int.MaxValue)
            {
                ConnectionError(Http2ErrorCode.FlowControlError, $"SETTINGS_INITIAL_WINDOW_SIZE took stream {stream.Id}'s window past 2^31-1");
                return false;
            }
            stream.SendWindow = window;
        }
        if (delta > 0) ScheduleSend();
        return true;
    }

    private void OnPing(Http2FrameHeader frame, ReadOnlySpan<byte> payload)
    {
        if (frame.Length != 8)
        {
            ConnectionError(Http2ErrorCode.FrameSizeError, $"a PING frame of {frame.Length} bytes");
            return;
        }
        if (frame.StreamId != 0)
        {
            ConnectionError(Http2ErrorCode.ProtocolError, "PING on a stream");
            return;
        }
        if (frame.HasFlag(Http2Flags.Ack))
        {
            if (BinaryPrimitives.ReadUInt64BigEndian(payload) == ShutdownPingPayload) OnShutdownPingAcknowledged();
            return;
        }
        if (!SpendPing()) return;
        Http2FrameWriter.WritePingAck(_connection.Output, payload);
    }

    private void OnGoAway(Http2FrameHeader frame, ReadOnlySpan<byte> payload)
    {
        if (frame.StreamId != 0)
        {
            ConnectionError(Http2ErrorCode.ProtocolError, "GOAWAY on a stream");
            return;
        }
        if (frame.Length < 8)
        {
            ConnectionError(Http2ErrorCode.FrameSizeError, "a GOAWAY frame shorter than 8 bytes");
            return;
        }
        // The client opens no more streams; those in progress finish (§6.8), then the connection closes.
        _clientGoneAway = true;
        if (ActiveStreamCount == 0) CloseConnection();
    }

    private void OnWindowUpdate(Http2FrameHeader frame, ReadOnlySpan<byte> payload)
    {
        if (frame.Length != 4)
        {
            ConnectionError(Http2ErrorCode.FrameSizeError, $"a WINDOW_UPDATE frame of {frame.Length} bytes");
            return;
        }
        int increment = ReadStreamId(payload);
        if (frame.StreamId == 0)
        {
            if (increment == 0)
            {
                ConnectionError(Http2ErrorCode.ProtocolError, "a connection WINDOW_UPDATE of 0");
                return;
            }
            if (!SpendWindowUpdate()) return;
            if (_sendWindow + increment > int.MaxValue)
            {
                ConnectionError(Http2ErrorCode.FlowControlError, "WINDOW_UPDATE took the connection window past 2^31-1");
                return;
            }
            _sendWindow += increment;
            ScheduleSend();
            return;
        }
        if (IsIdle(frame.StreamId))
        {
            ConnectionError(Http2ErrorCode.ProtocolError, $"WINDOW_UPDATE on idle stream {frame.StreamId}");
            return;
        }
        var stream = FindStream(frame.StreamId);
        // §6.9: on a closed stream it may still arrive (the client had not seen the end yet): ignored.
        if (stream is null) return;
        if (increment == 0)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "a stream WINDOW_UPDATE of 0");
            return;
        }
        if (!SpendWindowUpdate()) return;
        if (stream.SendWindow + increment > int.MaxValue)
        {
            StreamError(stream, Http2ErrorCode.FlowControlError, "WINDOW_UPDATE took the stream window past 2^31-1");
            return;
        }
        stream.SendWindow += increment;
        ScheduleSend();
    }

    private void OnPriority(Http2FrameHeader frame, ReadOnlySpan<byte> payload)
    {
        if (frame.StreamId == 0)
        {
            ConnectionError(Http2ErrorCode.ProtocolError, "PRIORITY on stream 0");
            return;
        }
        if (frame.Length != 5)
        {
            // §6.3: a stream error; the stream may be idle, so there may be nothing to reset but the id.
            ResetStream(frame.StreamId, Http2ErrorCode.FrameSizeError, $"a PRIORITY frame of {frame.Length} bytes");
            return;
        }
        if (!SpendPriority()) return;
        // §5.3.2: priorities are parsed and ignored; only a stream depending on itself is an error.
        if (ReadStreamId(payload) == frame.StreamId) ResetStream(frame.StreamId, Http2ErrorCode.ProtocolError, "a stream that depends on itself");
    }

    private void OnRstStream(Http2FrameHeader frame, ReadOnlySpan<byte> payload)
    {
        if (frame.StreamId == 0)
        {
            ConnectionError(Http2ErrorCode.ProtocolError, "RST_STREAM on stream 0");
            return;
        }
        if (frame.Length != 4)
        {
            ConnectionError(Http2ErrorCode.FrameSizeError, $"a RST_STREAM frame of {frame.Length} bytes");
            return;
        }
        if (IsIdle(frame.StreamId))
        {
            ConnectionError(Http2ErrorCode.ProtocolError, $"RST_STREAM on idle stream {frame.StreamId}");
            return;
        }
        var stream = FindStream(frame.StreamId);
        if (stream is null) return; // closed already: nothing to do (§5.1)
        if (!SpendReset("the client reset")) return;
        var code = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload);
        // The request can no longer be answered: its handler is told through RequestAborted.
        CloseStream(stream, new ClientDisconnectedException($"the client reset stream {stream.Id} ({code})"));
        RememberReset(-frame.StreamId);
    }
}
