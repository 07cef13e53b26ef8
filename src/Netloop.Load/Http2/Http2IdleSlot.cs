using System.Buffers;
using System.Net;
using Netloop.Load.Runner;
using Netloop.Load.Stats;
using Netloop.Protocols;
using Netloop.Protocols.Http1;
using Netloop.Protocols.Http2;
using Netloop.Transport;

namespace Netloop.Load.Http2;

/// <summary>
/// A connection slot that opens an idle HTTP/2 connection by prior knowledge (<c>h2c://</c>, <c>--idle</c> only): its one
/// "request" is the client preface with an empty SETTINGS frame, and it is answered once the server's SETTINGS have
/// arrived (and been acknowledged) and the server has acknowledged ours: the SETTINGS exchange of RFC 9113 §3.4 is over,
/// and the connection holds no stream. It then stays open and silent, answering only PING as a client must.
/// A GOAWAY before the exchange ends counts as a refusal; frames are read by their length and otherwise ignored.
/// </summary>
internal sealed class Http2IdleSlot : ConnectionSlot
{
    private const int PingLength = 8;

    /// <summary>The client connection preface followed by an empty SETTINGS frame (the defaults suit a connection that sends nothing).</summary>
    private static readonly byte[] s_prefaceAndSettings = [.. Http2Preface.Bytes, .. FrameHeader(0, Http2FrameType.Settings, Http2Flags.None)];

    private static readonly byte[] s_settingsAck = FrameHeader(0, Http2FrameType.Settings, Http2Flags.Ack);

    private readonly byte[] _header = new byte[Http2FrameHeader.Size];
    private readonly byte[] _ping = new byte[Http2FrameHeader.Size + PingLength];
    private int _headerFilled;
    private int _payloadLeft;
    private int _pingFilled;
    private Http2FrameType _type;
    private byte _flags;
    private bool _serverSettingsSeen;
    private bool _ownSettingsAcked;
    private bool _established;

    public Http2IdleSlot(LoadWorker worker, int index, IPAddress? source)
        : base(worker, index, source)
    {
    }

    protected override void OnNewConnection()
    {
        _headerFilled = 0;
        _payloadLeft = 0;
        _pingFilled = 0;
        _serverSettingsSeen = false;
        _ownSettingsAcked = false;
        _established = false;
    }

    protected override int WriteRequest(IBufferWriter<byte> output, bool last)
    {
        Write(output, s_prefaceAndSettings);
        return s_prefaceAndSettings.Length;
    }

    protected override int Consume(IConnection connection, ReadOnlySpan<byte> data, long now)
    {
        int consumed = 0;
        while (consumed < data.Length)
        {
            if (_headerFilled < Http2FrameHeader.Size)
            {
                int n = Math.Min(Http2FrameHeader.Size - _headerFilled, data.Length - consumed);
                data.Slice(consumed, n).CopyTo(_header.AsSpan(_headerFilled));
                _headerFilled += n;
                consumed += n;
                if (_headerFilled < Http2FrameHeader.Size) break;
                if (!OnFrameHeader(connection, now)) return data.Length;
                if (_payloadLeft > 0) continue;
            }
            else
            {
                int n = Math.Min(_payloadLeft, data.Length - consumed);
                if (_type == Http2FrameType.Ping && (_flags & Http2Flags.Ack) == 0) KeepPingPayload(data.Slice(consumed, n));
                _payloadLeft -= n;
                consumed += n;
                if (_payloadLeft > 0) break;
            }
            OnFrameEnd(connection, now);
        }
        return consumed;
    }

    // False when the connection was failed (the rest of the input is dropped with it).
    private bool OnFrameHeader(IConnection connection, long now)
    {
        var header = Http2FrameHeader.Read(_header);
        _payloadLeft = header.Length;
        _type = header.Type;
        _flags = header.Flags;
        _pingFilled = 0;
        if (_type == Http2FrameType.GoAway && !_established && HasInFlight)
        {
            // The server refuses the connection before the exchange is over: its answer, and not the one asked for.
            Fail(connection, ErrorKind.BadStatus, now);
            return false;
        }
        if (_type == Http2FrameType.Ping && _payloadLeft != PingLength)
        {
            Fail(connection, ErrorKind.Corrupt, now);
            return false;
        }
        return true;
    }

    private void KeepPingPayload(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_ping.AsSpan(Http2FrameHeader.Size + _pingFilled));
        _pingFilled += bytes.Length;
    }

    private void OnFrameEnd(IConnection connection, long now)
    {
        _headerFilled = 0;
        bool ack = (_flags & Http2Flags.Ack) != 0;
        if (_type == Http2FrameType.Settings)
        {
            if (ack)
            {
                _ownSettingsAcked = true;
            }
            else
            {
                Write(connection.Output, s_settingsAck);
                _serverSettingsSeen = true;
            }
        }
        else if (_type == Http2FrameType.Ping && !ack)
        {
            // RFC 9113 §6.7: a PING is answered with the same 8 bytes and the ACK flag.
            Http2FrameHeader.Write(_ping, PingLength, Http2FrameType.Ping, Http2Flags.Ack, 0);
            Write(connection.Output, _ping);
        }
        if (!_established && _serverSettingsSeen && _ownSettingsAcked && HasInFlight)
        {
            _established = true;
            Complete(now, null);
        }
    }

    private static byte[] FrameHeader(int length, Http2FrameType type, byte flags)
    {
        var header = new byte[Http2FrameHeader.Size];
        Http2FrameHeader.Write(header, length, type, flags, 0);
        return header;
    }
}
