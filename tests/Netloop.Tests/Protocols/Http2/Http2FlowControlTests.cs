using Netloop.Protocols.Http2;
using Netloop.Tests.Protocols.Http2.Support;
using static Netloop.Tests.Protocols.Http2.Support.H2Client;

namespace Netloop.Tests.Protocols.Http2;

/// <summary>RFC 9113 §5.2 and §6.9 (flow control, WINDOW_UPDATE) and §6.9.2 (SETTINGS_INITIAL_WINDOW_SIZE), frame by frame.</summary>
public class Http2FlowControlTests
{
    [Fact]
    public void A_connection_WINDOW_UPDATE_of_0_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        client.SendWindowUpdate(0, 0);
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    [Fact]
    public void A_stream_WINDOW_UPDATE_of_0_is_a_stream_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendWindowUpdate(id, 0);
        client.ExpectStreamError(id, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void A_WINDOW_UPDATE_taking_the_connection_window_past_2_31_minus_1_is_a_connection_error_FLOW_CONTROL_ERROR()
    {
        var client = Connected();
        client.SendWindowUpdate(0, int.MaxValue - 65_535);
        Assert.Empty(client.Read());
        client.SendWindowUpdate(0, 1);
        client.ExpectConnectionError(Http2ErrorCode.FlowControlError, 0);
    }

    [Fact]
    public void A_WINDOW_UPDATE_taking_a_stream_window_past_2_31_minus_1_is_a_stream_error_FLOW_CONTROL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendWindowUpdate(id, int.MaxValue - 65_535);
        Assert.Empty(client.Read());
        client.SendWindowUpdate(id, 1);
        client.ExpectStreamError(id, Http2ErrorCode.FlowControlError);
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(0, 5)]
    [InlineData(1, 3)]
    [InlineData(1, 8)]
    public void A_WINDOW_UPDATE_whose_length_is_not_4_is_a_connection_error_FRAME_SIZE_ERROR(int streamId, int length)
    {
        var client = Connected();
        int last = 0;
        if (streamId != 0) last = client.SendRequest("POST", "/echo", endStream: false);
        client.SendFrame(Http2FrameType.WindowUpdate, 0, streamId, new byte[] { 0, 0, 0, 1, 0, 0, 0, 1 }.AsSpan(0, length));
        client.ExpectConnectionError(Http2ErrorCode.FrameSizeError, last);
    }

    [Fact]
    public void DATA_beyond_the_stream_window_is_a_stream_error_FLOW_CONTROL_ERROR()
    {
        var client = new H2Client(limits => limits.Http2.InitialStreamWindowSize = 100);
        client.Handshake();
        Assert.Contains((Http2SettingId.InitialWindowSize, 100u), client.ServerSettings!.Settings());
        int id = client.SendRequest("POST", "/hold", endStream: false);
        client.SendData(id, new byte[60]);
        client.SendData(id, new byte[40]);
        Assert.Empty(client.Read());
        client.SendData(id, new byte[1]);
        client.ExpectStreamError(id, Http2ErrorCode.FlowControlError);
    }

    [Fact]
    public void Padding_counts_against_the_stream_window()
    {
        var client = new H2Client(limits => limits.Http2.InitialStreamWindowSize = 100);
        client.Handshake();
        int id = client.SendRequest("POST", "/hold", endStream: false);
        // 1 pad length byte + 50 bytes of data + 49 of padding: the whole window, though only 50 bytes are data.
        client.SendData(id, new byte[50], padLength: 49);
        // Nobody reads padding, so the server gives its 50 bytes back at once (stream and, in time, connection); the
        // 50 bytes of data stay counted until the handler (which holds) reads them.
        var update = Assert.Single(client.Read(), f => f.StreamId == id);
        Assert.Equal(Http2FrameType.WindowUpdate, update.Type);
        Assert.Equal(50, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(update.Payload) & 0x7fffffff);
        client.SendData(id, new byte[51]);
        client.ExpectStreamError(id, Http2ErrorCode.FlowControlError);
    }

    [Fact]
    public void DATA_beyond_the_connection_window_is_a_connection_error_FLOW_CONTROL_ERROR()
    {
        var client = new H2Client(limits => limits.Http2.InitialConnectionWindowSize = 65_535);
        client.Handshake();
        int first = client.SendRequest("POST", "/hold", endStream: false);
        int second = client.SendRequest("POST", "/hold", endStream: false);
        for (int i = 0; i < 3; i++) client.SendData(first, new byte[16_384]);
        client.SendData(second, new byte[16_383]);
        Assert.Empty(client.Read());
        client.SendData(second, new byte[1]);
        client.ExpectConnectionError(Http2ErrorCode.FlowControlError, second);
    }

    [Fact]
    public void A_new_INITIAL_WINDOW_SIZE_moves_open_streams_windows_even_below_zero()
    {
        var client = Connected(Setting(Http2SettingId.InitialWindowSize, 10));
        int id = client.SendRequest("GET", "/big");
        var frames = client.Read();
        Assert.Equal((":status", "200"), frames[0].Fields![0]);
        Assert.Equal(10, DataBytes(frames, id));

        // 10 sent, window 0; the new initial size 5 takes it to -5.
        client.SendSettings(Setting(Http2SettingId.InitialWindowSize, 5));
        var ack = Assert.Single(client.Read());
        Assert.True(ack.Type == Http2FrameType.Settings && ack.Has(Http2Flags.Ack));
        client.SendWindowUpdate(id, 5);
        Assert.Empty(client.Read());
        client.SendWindowUpdate(id, 7);
        Assert.Equal(7, DataBytes(client.Read(), id));

        // 17 sent, window 0; raising the initial size by 995 opens it to 995: the other 83 bytes go, ending the stream.
        client.SendSettings(Setting(Http2SettingId.InitialWindowSize, 1_000));
        frames = client.Read();
        Assert.Equal(83, DataBytes(frames, id));
        Assert.True(frames.Last(f => f.Type == Http2FrameType.Data).Has(Http2Flags.EndStream));
        client.AssertUsable();
    }

    [Fact]
    public void An_INITIAL_WINDOW_SIZE_taking_an_open_stream_window_past_2_31_minus_1_is_a_connection_error_FLOW_CONTROL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendWindowUpdate(id, int.MaxValue - 65_535);
        Assert.Empty(client.Read());
        client.SendSettings(Setting(Http2SettingId.InitialWindowSize, 65_536));
        client.ExpectConnectionError(Http2ErrorCode.FlowControlError, id);
    }

    [Fact]
    public void The_connection_send_window_holds_responses_until_a_connection_WINDOW_UPDATE()
    {
        var client = Connected();
        // Use up the connection window (65,535) with a response, with stream windows raised so only it limits.
        client.SendSettings(Setting(Http2SettingId.InitialWindowSize, 1_000_000));
        client.Read();
        var big = new byte[70_000];
        int id = client.SendRequest("POST", "/echo", endStream: false);
        for (int offset = 0; offset < big.Length; offset += 16_384) client.SendData(id, big.AsSpan(offset, Math.Min(16_384, big.Length - offset)));
        client.SendData(id, [], endStream: true);
        var frames = client.Read();
        Assert.Equal(65_535, DataBytes(frames, id));
        Assert.DoesNotContain(frames, f => f.Type == Http2FrameType.Data && f.Has(Http2Flags.EndStream));
        client.SendWindowUpdate(0, 10_000);
        frames = client.Read();
        Assert.Equal(70_000 - 65_535, DataBytes(frames, id));
        Assert.True(frames.Last(f => f.Type == Http2FrameType.Data).Has(Http2Flags.EndStream));
    }

    private static int DataBytes(IEnumerable<H2Frame> frames, int streamId) =>
        frames.Where(f => f.Type == Http2FrameType.Data && f.StreamId == streamId).Sum(f => f.Payload.Length);

    private static H2Client Connected(params (ushort Id, uint Value)[] settings)
    {
        var client = new H2Client();
        client.Handshake(settings);
        return client;
    }
}
