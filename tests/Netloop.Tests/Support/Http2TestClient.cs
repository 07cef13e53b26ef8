using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Netloop.Protocols;
using Netloop.Protocols.Http2;
using Netloop.Protocols.Http2.Hpack;
using Netloop.Reactor;
using Netloop.Tests.Protocols.Http2.Hpack;
using Netloop.Tests.Protocols.Http2.Support;
using Netloop.Transport;

namespace Netloop.Tests.Support;

/// <summary>
/// An HTTP/2 client over an <see cref="InMemoryConnection"/>: it keeps the send windows the server grants (and checks
/// the server never lets the client go past what it advertised), reads every frame the server writes, and keeps each
/// stream's response. Posted work (handler continuations) runs in <see cref="Pump"/>, so a test decides when handlers
/// make progress.
/// </summary>
internal sealed class Http2TestClient
{
    private readonly HpackEncoder _encoder = new();
    private readonly HpackDecoder _decoder = new(4096, 1024 * 1024);
    private readonly Dictionary<int, long> _streamWindows = new();
    private int _peerInitialWindow = 65_535;
    private int _nextStreamId = 1;
    private int _headerStream;
    private readonly ArrayBufferWriter<byte> _headerBlock = new();

    public Http2TestClient(IConnectionProtocol protocol, LoopClock? clock = null)
    {
        Connection = new InMemoryConnection(protocol, clock);
        Send([.. H2Client.Preface, .. Frame(Http2FrameType.Settings, 0, 0, [])]);
        Pump();
    }

    private Http2TestClient(InMemoryConnection connection, ReadOnlySpan<byte> serverFrames)
    {
        Connection = connection;
        // Stream 1 is the upgraded request, half-closed by the client (RFC 7540 §3.2).
        _nextStreamId = 3;
        _streamWindows[1] = _peerInitialWindow;
        Responses[1] = new Http2TestResponse();
        // The preface goes first: reading the server's frames may answer them (SETTINGS ack, WINDOW_UPDATE).
        Send([.. H2Client.Preface, .. Frame(Http2FrameType.Settings, 0, 0, [])]);
        Read(serverFrames.ToArray());
        Pump();
    }

    /// <summary>
    /// Sends <paramref name="upgradeRequest"/> (an HTTP/1.1 request with <c>Upgrade: h2c</c>) on
    /// <paramref name="connection"/>, then the client preface: the answer to the request is <see cref="Responses"/>[1].
    /// <paramref name="http1Head"/> is the HTTP/1.1 head the server wrote first (the 101).
    /// </summary>
    public static Http2TestClient Upgrade(InMemoryConnection connection, ReadOnlySpan<byte> upgradeRequest, out string http1Head)
    {
        connection.Receive(upgradeRequest);
        var output = connection.TakeOutput();
        int end = output.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0) throw new InvalidOperationException("the server wrote no HTTP/1.1 head");
        http1Head = Encoding.ASCII.GetString(output, 0, end + 4);
        return new Http2TestClient(connection, output.AsSpan(end + 4));
    }

    public InMemoryConnection Connection { get; }

    /// <summary>What the client may still send on the connection, as the server's WINDOW_UPDATEs granted.</summary>
    public long ConnectionWindow { get; private set; } = 65_535;

    /// <summary>Connection-level WINDOW_UPDATE frames received.</summary>
    public int ConnectionWindowUpdates { get; private set; }

    /// <summary>Stream-level WINDOW_UPDATE frames received.</summary>
    public int StreamWindowUpdates { get; private set; }

    /// <summary>The error code of the GOAWAY received, if any.</summary>
    public Http2ErrorCode? GoAway { get; private set; }

    public Dictionary<int, Http2TestResponse> Responses { get; } = new();

    /// <summary>What the client may still send on <paramref name="streamId"/>.</summary>
    public long StreamWindow(int streamId) => _streamWindows.TryGetValue(streamId, out long window) ? window : 0;

    /// <summary>Opens a stream with a request head; returns its id.</summary>
    public int Request(string method, string path, bool endStream, params (string Name, string Value)[] headers)
    {
        int id = _nextStreamId;
        _nextStreamId += 2;
        var block = new ArrayBufferWriter<byte>();
        _encoder.Encode(":method", method, block);
        _encoder.Encode(":scheme", "http", block);
        _encoder.Encode(":path", path, block);
        _encoder.Encode(":authority", "localhost", block);
        foreach (var (name, value) in headers) _encoder.Encode(name, value, block);
        byte flags = (byte)(Http2Flags.EndHeaders | (endStream ? Http2Flags.EndStream : 0));
        _streamWindows[id] = _peerInitialWindow;
        Responses[id] = new Http2TestResponse();
        Send(Frame(Http2FrameType.Headers, flags, id, block.WrittenSpan));
        return id;
    }

    /// <summary>Sends one DATA frame, charging the windows (the server must accept it: the caller checked they allow it).</summary>
    public void Data(int streamId, ReadOnlySpan<byte> payload, bool endStream, int padding = 0)
    {
        byte flags = endStream ? Http2Flags.EndStream : Http2Flags.None;
        byte[] body;
        if (padding > 0)
        {
            flags |= Http2Flags.Padded;
            body = new byte[1 + payload.Length + padding];
            body[0] = (byte)padding;
            payload.CopyTo(body.AsSpan(1));
        }
        else
        {
            body = payload.ToArray();
        }
        ConnectionWindow -= body.Length;
        _streamWindows[streamId] = StreamWindow(streamId) - body.Length;
        if (ConnectionWindow < 0 || _streamWindows[streamId] < 0) throw new InvalidOperationException($"the client went past a window on stream {streamId}");
        Send(Frame(Http2FrameType.Data, flags, streamId, body));
    }

    /// <summary>
    /// Sends as much of <paramref name="body"/> from <paramref name="offset"/> as the windows allow, in frames of at
    /// most <paramref name="frameSize"/> and at most <paramref name="maxFrames"/>; the last byte ends the stream unless
    /// <paramref name="endStream"/> is false. Returns the new offset.
    /// </summary>
    public int SendWithinWindows(int streamId, ReadOnlySpan<byte> body, int offset, int frameSize = 16 * 1024, int maxFrames = int.MaxValue, bool endStream = true)
    {
        for (int frames = 0; offset < body.Length && frames < maxFrames; frames++)
        {
            long allowed = Math.Min(Math.Min(ConnectionWindow, StreamWindow(streamId)), Math.Min(frameSize, body.Length - offset));
            if (allowed <= 0) break;
            int n = (int)allowed;
            Data(streamId, body.Slice(offset, n), endStream: endStream && offset + n == body.Length);
            offset += n;
        }
        return offset;
    }

    public void Reset(int streamId, Http2ErrorCode code)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)code);
        Send(Frame(Http2FrameType.RstStream, 0, streamId, payload));
    }

    /// <summary>Runs posted work and reads what the server wrote until nothing more happens.</summary>
    public void Pump()
    {
        for (int round = 0; round < 10_000; round++)
        {
            Connection.RunPosted();
            var output = Connection.TakeOutput();
            if (output.Length == 0 && Connection.PostedCount == 0) return;
            Read(output);
        }
        throw new InvalidOperationException("the connection never settled");
    }

    private void Send(ReadOnlySpan<byte> bytes) => Connection.Receive(bytes);

    private void Read(byte[] output)
    {
        int position = 0;
        while (position + Http2FrameHeader.Size <= output.Length)
        {
            var frame = Http2FrameHeader.Read(output.AsSpan(position));
            var payload = output.AsSpan(position + Http2FrameHeader.Size, frame.Length);
            position += Http2FrameHeader.Size + frame.Length;
            OnFrame(frame, payload);
        }
        if (position != output.Length) throw new InvalidOperationException("the server wrote a partial frame");
    }

    private void OnFrame(Http2FrameHeader frame, ReadOnlySpan<byte> payload)
    {
        switch (frame.Type)
        {
            case Http2FrameType.Settings when !frame.HasFlag(Http2Flags.Ack):
                for (int i = 0; i + 6 <= payload.Length; i += 6)
                {
                    if (BinaryPrimitives.ReadUInt16BigEndian(payload[i..]) != (ushort)Http2SettingId.InitialWindowSize) continue;
                    int value = (int)BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]);
                    foreach (int id in _streamWindows.Keys.ToArray()) _streamWindows[id] += value - _peerInitialWindow;
                    _peerInitialWindow = value;
                }
                Send(Frame(Http2FrameType.Settings, Http2Flags.Ack, 0, []));
                break;
            case Http2FrameType.WindowUpdate:
                int increment = (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7fff_ffff);
                if (frame.StreamId == 0)
                {
                    ConnectionWindow += increment;
                    ConnectionWindowUpdates++;
                }
                else
                {
                    _streamWindows[frame.StreamId] = StreamWindow(frame.StreamId) + increment;
                    StreamWindowUpdates++;
                }
                break;
            case Http2FrameType.Headers:
            case Http2FrameType.Continuation:
                if (frame.Type == Http2FrameType.Headers)
                {
                    _headerStream = frame.StreamId;
                    _headerBlock.ResetWrittenCount();
                }
                _headerBlock.Write(payload);
                if (!frame.HasFlag(Http2Flags.EndHeaders)) break;
                var response = ResponseOf(_headerStream);
                var sink = new RecordingSink();
                _decoder.Decode(_headerBlock.WrittenSpan, sink);
                if (response.Headers is null) response.Headers = sink.Fields;
                else response.Trailers = sink.Fields;
                if (frame.HasFlag(Http2Flags.EndStream)) response.Ended = true;
                break;
            case Http2FrameType.Data:
                var data = ResponseOf(frame.StreamId);
                data.Body.Write(payload);
                if (frame.HasFlag(Http2Flags.EndStream)) data.Ended = true;
                if (frame.Length > 0)
                {
                    // A reader that keeps up: the server's send windows reopen at once.
                    var increment4 = new byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(increment4, (uint)frame.Length);
                    Send([.. Frame(Http2FrameType.WindowUpdate, 0, 0, increment4), .. Frame(Http2FrameType.WindowUpdate, 0, frame.StreamId, increment4)]);
                }
                break;
            case Http2FrameType.RstStream:
                ResponseOf(frame.StreamId).Reset = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload);
                break;
            case Http2FrameType.GoAway:
                GoAway = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
                break;
            case Http2FrameType.Ping when !frame.HasFlag(Http2Flags.Ack):
                Send(Frame(Http2FrameType.Ping, Http2Flags.Ack, 0, payload));
                break;
        }
    }

    private Http2TestResponse ResponseOf(int streamId)
    {
        if (!Responses.TryGetValue(streamId, out var response)) Responses[streamId] = response = new Http2TestResponse();
        return response;
    }

    private static byte[] Frame(Http2FrameType type, byte flags, int streamId, ReadOnlySpan<byte> payload) =>
        H2Client.Frame((byte)type, flags, streamId, payload);
}

/// <summary>What the server answered on one stream.</summary>
internal sealed class Http2TestResponse
{
    public List<(string Name, string Value)>? Headers { get; set; }

    public List<(string Name, string Value)>? Trailers { get; set; }

    public MemoryStream Body { get; } = new();

    public bool Ended { get; set; }

    public Http2ErrorCode? Reset { get; set; }

    public string? Header(string name) => Headers?.FirstOrDefault(f => f.Name == name).Value;

    public string? Trailer(string name) => Trailers?.FirstOrDefault(f => f.Name == name).Value;

    public int Status => int.Parse(Header(":status") ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    public string Text => Encoding.UTF8.GetString(Body.ToArray());
}
