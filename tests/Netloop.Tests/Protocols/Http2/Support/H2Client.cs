using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Netloop.Http;
using Netloop.Protocols;
using Netloop.Protocols.Http1;
using Netloop.Protocols.Http2;
using Netloop.Protocols.Http2.Hpack;
using Netloop.Tests.Protocols.Http2.Hpack;
using Netloop.Tests.Support;

namespace Netloop.Tests.Protocols.Http2.Support;

/// <summary>
/// An HTTP/2 client that speaks raw frames to the server over an <see cref="InMemoryConnection"/> (no sockets, time
/// on a <see cref="FakeClock"/>): it writes any frame, valid or not, encodes header blocks with its own
/// <see cref="HpackEncoder"/> (fields added to the dynamic table, so a block the server failed to decode shows up in the
/// next request), and parses what the server writes back, decoding response header blocks with an
/// <see cref="HpackDecoder"/>. The app it talks to is <see cref="H2TestApp"/> unless another handler is given.
/// </summary>
internal sealed class H2Client
{
    public static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private static readonly byte[] PingPayload = "netloop!"u8.ToArray();

    private readonly List<byte> _incoming = [];
    private readonly HpackDecoder _decoder = new(4096, 1 << 20);
    private H2Frame? _headerBlockStart;
    private List<byte>? _headerBlock;

    public H2Client(Action<HttpLimits>? configure = null, RequestHandler? handler = null)
    {
        var limits = new HttpLimits();
        configure?.Invoke(limits);
        App = new H2TestApp();
        Factory = new HttpProtocolFactory(handler ?? App.Handle, limits);
        Connection = new InMemoryConnection(Factory.Create(), Clock);
    }

    /// <summary>A client on a connection that starts HTTP/2 at once, as after TLS ALPN "h2" (the server preface is already written).</summary>
    public static H2Client ViaAlpn(Action<HttpLimits>? configure = null)
    {
        var client = new H2Client(configure);
        client.Connection.SwitchProtocol(client.Factory.CreateForAlpn(client.Connection, "h2"u8));
        return client;
    }

    public FakeClock Clock { get; } = new();

    public H2TestApp App { get; }

    public HttpProtocolFactory Factory { get; }

    public InMemoryConnection Connection { get; }

    public HpackEncoder Encoder { get; } = new();

    /// <summary>The id <see cref="SendRequest"/> uses next.</summary>
    public int NextStreamId { get; set; } = 1;

    /// <summary>The server's SETTINGS frame, once the handshake read it.</summary>
    public H2Frame? ServerSettings { get; private set; }

    /// <summary>
    /// The connection preface and a SETTINGS frame with <paramref name="settings"/>; expects the server's SETTINGS and
    /// its acknowledgement of ours, then acknowledges the server's.
    /// </summary>
    public void Handshake(params (ushort Id, uint Value)[] settings)
    {
        Send(Preface);
        SendSettings(settings);
        var frames = Read();
        ServerSettings = frames.FirstOrDefault(f => f.Type == Http2FrameType.Settings && !f.Has(Http2Flags.Ack));
        Assert.True(ServerSettings is not null, "no server SETTINGS: " + Describe(frames));
        Assert.Equal(0, ServerSettings.StreamId);
        var ack = Assert.Single(frames, f => f.Type == Http2FrameType.Settings && f.Has(Http2Flags.Ack));
        Assert.Empty(ack.Payload);
        Assert.DoesNotContain(frames, f => f.Type is Http2FrameType.GoAway or Http2FrameType.RstStream);
        SendFrame(Http2FrameType.Settings, Http2Flags.Ack, 0, []);
        Assert.Empty(Read());
    }

    public static (ushort Id, uint Value) Setting(Http2SettingId id, uint value) => ((ushort)id, value);

    public void Send(ReadOnlySpan<byte> bytes) => Connection.Receive(bytes);

    public static byte[] Frame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[Http2FrameHeader.Size + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), (uint)streamId);
        payload.CopyTo(frame.AsSpan(Http2FrameHeader.Size));
        return frame;
    }

    /// <summary>Sends one frame; a HEADERS frame on a new odd id moves <see cref="NextStreamId"/> past it.</summary>
    public void SendFrame(Http2FrameType type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        if (type == Http2FrameType.Headers && streamId % 2 == 1 && streamId >= NextStreamId) NextStreamId = streamId + 2;
        Send(Frame((byte)type, flags, streamId, payload));
    }

    public void SendSettings(params (ushort Id, uint Value)[] settings)
    {
        var payload = new byte[settings.Length * 6];
        for (int i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(i * 6), settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(i * 6 + 2), settings[i].Value);
        }
        SendFrame(Http2FrameType.Settings, Http2Flags.None, 0, payload);
    }

    public void SendPing(ReadOnlySpan<byte> payload, bool ack = false) => SendFrame(Http2FrameType.Ping, ack ? Http2Flags.Ack : Http2Flags.None, 0, payload);

    public void SendWindowUpdate(int streamId, uint increment) => SendFrame(Http2FrameType.WindowUpdate, 0, streamId, U32(increment));

    public void SendRstStream(int streamId, Http2ErrorCode code) => SendFrame(Http2FrameType.RstStream, 0, streamId, U32((uint)code));

    public void SendPriority(int streamId, int dependency, byte weight = 15, bool exclusive = false) =>
        SendFrame(Http2FrameType.Priority, 0, streamId, [.. U32((uint)dependency | (exclusive ? 0x8000_0000u : 0)), weight]);

    public void SendGoAway(int lastStreamId, Http2ErrorCode code) => SendFrame(Http2FrameType.GoAway, 0, 0, [.. U32((uint)lastStreamId), .. U32((uint)code)]);

    /// <summary>DATA, padded with <paramref name="padLength"/> zero bytes when given (the pad length byte counts too).</summary>
    public void SendData(int streamId, ReadOnlySpan<byte> data, bool endStream = false, int? padLength = null)
    {
        byte flags = endStream ? Http2Flags.EndStream : Http2Flags.None;
        if (padLength is not { } pad)
        {
            SendFrame(Http2FrameType.Data, flags, streamId, data);
            return;
        }
        SendFrame(Http2FrameType.Data, (byte)(flags | Http2Flags.Padded), streamId, [(byte)pad, .. data, .. new byte[pad]]);
    }

    public void SendData(int streamId, string text, bool endStream = false, int? padLength = null) =>
        SendData(streamId, Encoding.Latin1.GetBytes(text), endStream, padLength);

    /// <summary>Encodes <paramref name="fields"/> as one header block, names exactly as given (uppercase stays), each added to the dynamic table.</summary>
    public byte[] Encode(params (string Name, string Value)[] fields)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var (name, value) in fields)
        {
            Encoder.Encode(Encoding.Latin1.GetBytes(name), Encoding.Latin1.GetBytes(value), output, HpackIndexing.Incremental);
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>One HEADERS frame with END_HEADERS carrying <paramref name="fields"/>.</summary>
    public void SendHeaders(int streamId, bool endStream, params (string Name, string Value)[] fields) =>
        SendFrame(Http2FrameType.Headers, (byte)(Http2Flags.EndHeaders | (endStream ? Http2Flags.EndStream : 0)), streamId, Encode(fields));

    public static (string, string)[] RequestFields(string method, string path, params (string Name, string Value)[] extra) =>
        [(":method", method), (":scheme", "http"), (":path", path), (":authority", "localhost"), .. extra];

    /// <summary>A request on the next stream id; returns the id.</summary>
    public int SendRequest(string method, string path, bool endStream = true, params (string Name, string Value)[] extra)
    {
        int id = NextStreamId;
        NextStreamId += 2;
        SendHeaders(id, endStream, RequestFields(method, path, extra));
        return id;
    }

    public static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>Runs the server's posted work (handler continuations) until it is quiet and returns the frames it wrote meanwhile.</summary>
    public List<H2Frame> Read()
    {
        var frames = new List<H2Frame>();
        while (true)
        {
            int ran = Connection.RunPosted();
            var bytes = Connection.TakeOutput();
            if (ran == 0 && bytes.Length == 0) break;
            _incoming.AddRange(bytes);
            ParseFrames(frames);
        }
        return frames;
    }

    private void ParseFrames(List<H2Frame> frames)
    {
        while (_incoming.Count >= Http2FrameHeader.Size)
        {
            var header = Http2FrameHeader.Read(_incoming.GetRange(0, Http2FrameHeader.Size).ToArray());
            if (_incoming.Count < Http2FrameHeader.Size + header.Length) return;
            var payload = _incoming.GetRange(Http2FrameHeader.Size, header.Length).ToArray();
            _incoming.RemoveRange(0, Http2FrameHeader.Size + header.Length);
            var frame = new H2Frame(header.Type, header.Flags, header.StreamId, payload);
            if (header.Type == Http2FrameType.Headers)
            {
                _headerBlockStart = frame;
                _headerBlock = [.. payload];
                frames.Add(frame);
            }
            else if (header.Type == Http2FrameType.Continuation)
            {
                Assert.True(_headerBlock is not null && _headerBlockStart!.StreamId == header.StreamId, "server CONTINUATION without HEADERS");
                _headerBlock.AddRange(payload);
            }
            else
            {
                Assert.True(_headerBlock is null, $"server interleaved {header.Type} in a header block");
                frames.Add(frame);
            }
            if (header.Type is Http2FrameType.Headers or Http2FrameType.Continuation && header.HasFlag(Http2Flags.EndHeaders))
            {
                var sink = new RecordingSink();
                _decoder.Decode(_headerBlock!.ToArray(), sink);
                _headerBlockStart!.Fields = sink.Fields;
                _headerBlock = null;
            }
        }
    }

    public static string Describe(IEnumerable<H2Frame> frames) => "[" + string.Join("; ", frames) + "]";

    /// <summary>
    /// A connection error: the server's last frame is GOAWAY with <paramref name="code"/> and
    /// <paramref name="lastStreamId"/>, and it closed the connection.
    /// </summary>
    public H2Frame ExpectConnectionError(Http2ErrorCode code, int lastStreamId)
    {
        var frames = Read();
        var goAway = Assert.Single(frames, f => f.Type == Http2FrameType.GoAway);
        Assert.True(code == goAway.ErrorCode, $"expected GOAWAY {code}, got {Describe(frames)}");
        Assert.Equal(0, goAway.StreamId);
        Assert.Equal(lastStreamId, goAway.LastStreamId);
        Assert.Same(goAway, frames[^1]);
        Assert.True(Connection.IsClosed, "the connection stays open after GOAWAY");
        return goAway;
    }

    /// <summary>
    /// A stream error: RST_STREAM with <paramref name="code"/> on <paramref name="streamId"/>, no GOAWAY, and the
    /// connection still answers a PING and a request.
    /// </summary>
    public void ExpectStreamError(int streamId, Http2ErrorCode code)
    {
        var frames = Read();
        Assert.DoesNotContain(frames, f => f.Type == Http2FrameType.GoAway);
        var reset = Assert.Single(frames, f => f.Type == Http2FrameType.RstStream);
        Assert.True(reset.StreamId == streamId && reset.ErrorCode == code, $"expected RST_STREAM {code} on stream {streamId}, got {Describe(frames)}");
        Assert.DoesNotContain(frames, f => f.StreamId == streamId && f.Type != Http2FrameType.RstStream);
        AssertUsable();
    }

    /// <summary>The server ignored what was sent: it wrote nothing, and the connection still answers a PING and a request.</summary>
    public void ExpectIgnored()
    {
        var frames = Read();
        Assert.True(frames.Count == 0, "expected no answer, got " + Describe(frames));
        AssertUsable();
    }

    /// <summary>The connection is open and working: a PING is answered with its payload, and GET / with 200.</summary>
    public void AssertUsable()
    {
        Assert.False(Connection.IsClosed, "the connection closed");
        AssertPingAnswered();
        int id = SendRequest("GET", "/");
        var response = ReadResponse(id);
        Assert.Equal(200, response.Status);
        Assert.Equal("hello", response.BodyText);
    }

    public void AssertPingAnswered()
    {
        SendPing(PingPayload);
        var frames = Read();
        var ack = Assert.Single(frames);
        Assert.Equal(Http2FrameType.Ping, ack.Type);
        Assert.True(ack.Has(Http2Flags.Ack));
        Assert.Equal(PingPayload, ack.Payload);
    }

    /// <summary>Reads until quiet and returns the complete response of <paramref name="streamId"/>.</summary>
    public H2Response ReadResponse(int streamId) => ResponseOf(Read(), streamId);

    /// <summary>The complete response of <paramref name="streamId"/> among <paramref name="frames"/>: HEADERS, DATA…, trailers, ending the stream.</summary>
    public static H2Response ResponseOf(IReadOnlyList<H2Frame> frames, int streamId)
    {
        var own = frames.Where(f => f.StreamId == streamId).ToList();
        Assert.True(own.Count > 0 && own[0].Type == Http2FrameType.Headers, $"no response HEADERS on stream {streamId}: {Describe(frames)}");
        Assert.DoesNotContain(own, f => f.Type == Http2FrameType.RstStream);
        var body = new List<byte>();
        List<(string, string)>? trailers = null;
        bool ended = own[0].Has(Http2Flags.EndStream);
        foreach (var frame in own.Skip(1))
        {
            Assert.False(ended, $"stream {streamId} has frames after END_STREAM: {Describe(own)}");
            if (frame.Type == Http2FrameType.Data) body.AddRange(frame.Payload);
            else if (frame.Type == Http2FrameType.Headers) trailers = frame.Fields;
            ended = frame.Has(Http2Flags.EndStream);
        }
        Assert.True(ended, $"stream {streamId} did not end: {Describe(own)}");
        return new H2Response(own[0].Fields!, [.. body], trailers);
    }
}
