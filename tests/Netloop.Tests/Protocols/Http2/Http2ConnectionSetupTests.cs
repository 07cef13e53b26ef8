using System.Text;
using Netloop.Protocols.Http1;
using Netloop.Protocols.Http2;
using Netloop.Tests.Protocols.Http2.Support;
using static Netloop.Tests.Protocols.Http2.Support.H2Client;

namespace Netloop.Tests.Protocols.Http2;

/// <summary>RFC 9113 §3.4 (the connection preface), §6.5 (SETTINGS), §6.7 (PING) and §6.8 (GOAWAY from the client), frame by frame.</summary>
public class Http2ConnectionSetupTests
{
    [Fact]
    public void A_preface_split_into_single_bytes_then_SETTINGS_in_two_pieces_is_answered_with_SETTINGS_and_an_ACK()
    {
        var client = new H2Client();
        foreach (byte b in Preface) Assert.True(client.Connection.Receive([b]));
        var settings = Frame((byte)Http2FrameType.Settings, 0, 0, [0, 3, 0, 0, 0, 50]);
        client.Send(settings.AsSpan(0, 5));
        client.Send(settings.AsSpan(5));
        var frames = client.Read();
        // The server's preface (SETTINGS, and a WINDOW_UPDATE opening the connection window), then the ACK of ours.
        Assert.Equal(3, frames.Count);
        Assert.Equal(Http2FrameType.Settings, frames[0].Type);
        Assert.False(frames[0].Has(Http2Flags.Ack));
        Assert.Contains((Http2SettingId.EnablePush, 0u), frames[0].Settings());
        Assert.Contains((Http2SettingId.MaxConcurrentStreams, 100u), frames[0].Settings());
        Assert.Equal(Http2FrameType.WindowUpdate, frames[1].Type);
        Assert.Equal(0, frames[1].StreamId);
        Assert.Equal(Http2FrameType.Settings, frames[2].Type);
        Assert.True(frames[2].Has(Http2Flags.Ack));
        Assert.Empty(frames[2].Payload);
        client.AssertUsable();
    }

    [Fact]
    public void Without_prior_knowledge_a_connection_whose_first_bytes_differ_from_the_preface_is_HTTP_1()
    {
        var client = new H2Client();
        client.Send("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"u8);
        var output = Encoding.Latin1.GetString(client.Connection.TakeOutput());
        Assert.StartsWith("HTTP/1.1 ", output);
    }

    [Fact]
    public void An_HTTP_2_only_server_answers_a_connection_without_the_preface_with_505_and_closes()
    {
        var client = new H2Client(limits => limits.Protocols = HttpProtocols.Http2);
        client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8);
        Assert.StartsWith("HTTP/1.1 505 ", Encoding.Latin1.GetString(client.Connection.TakeOutput()));
        Assert.True(client.Connection.IsClosed);
    }

    [Fact]
    public void After_ALPN_h2_a_bad_preface_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = ViaAlpn();
        Assert.Equal(Http2FrameType.Settings, client.Read()[0].Type);
        client.Send("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"u8);
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    [Fact]
    public void After_ALPN_h2_a_split_preface_is_awaited_and_accepted()
    {
        var client = ViaAlpn();
        client.Read();
        client.Send(Preface.AsSpan(0, 10));
        Assert.Empty(client.Read());
        client.Send(Preface.AsSpan(10));
        client.SendSettings();
        var ack = Assert.Single(client.Read());
        Assert.True(ack.Type == Http2FrameType.Settings && ack.Has(Http2Flags.Ack));
        client.AssertUsable();
    }

    [Fact]
    public void A_preface_that_stops_half_way_is_timed_out_with_GOAWAY()
    {
        var client = ViaAlpn();
        client.Read();
        client.Send(Preface.AsSpan(0, 10));
        client.Clock.Advance(client.Factory.Limits.Http2.PrefaceTimeout);
        Assert.True(client.Connection.RunDueTimer());
        client.ExpectConnectionError(Http2ErrorCode.SettingsTimeout, 0);
    }

    [Fact]
    public void A_first_frame_other_than_SETTINGS_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = new H2Client();
        client.Send(Preface);
        client.SendPing("12345678"u8);
        var goAway = client.Read().Single(f => f.Type == Http2FrameType.GoAway);
        Assert.Equal(Http2ErrorCode.ProtocolError, goAway.ErrorCode);
        Assert.True(client.Connection.IsClosed);
    }

    [Fact]
    public void A_first_SETTINGS_frame_that_is_an_ACK_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = new H2Client();
        client.Send(Preface);
        client.SendFrame(Http2FrameType.Settings, Http2Flags.Ack, 0, []);
        var goAway = client.Read().Single(f => f.Type == Http2FrameType.GoAway);
        Assert.Equal(Http2ErrorCode.ProtocolError, goAway.ErrorCode);
        Assert.True(client.Connection.IsClosed);
    }

    [Fact]
    public void A_SETTINGS_ACK_with_a_payload_is_a_connection_error_FRAME_SIZE_ERROR()
    {
        var client = Connected();
        client.SendFrame(Http2FrameType.Settings, Http2Flags.Ack, 0, [0, 3, 0, 0, 0, 1]);
        client.ExpectConnectionError(Http2ErrorCode.FrameSizeError, 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(7)]
    public void A_SETTINGS_length_not_a_multiple_of_6_is_a_connection_error_FRAME_SIZE_ERROR(int length)
    {
        var client = Connected();
        client.SendFrame(Http2FrameType.Settings, 0, 0, new byte[length]);
        client.ExpectConnectionError(Http2ErrorCode.FrameSizeError, 0);
    }

    [Fact]
    public void SETTINGS_on_a_stream_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        client.SendFrame(Http2FrameType.Settings, 0, 1, [0, 3, 0, 0, 0, 1]);
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    [Theory]
    [InlineData(2u)]
    [InlineData(0xffff_ffffu)]
    public void SETTINGS_ENABLE_PUSH_other_than_0_or_1_is_a_connection_error_PROTOCOL_ERROR(uint value)
    {
        var client = Connected();
        client.SendSettings(Setting(Http2SettingId.EnablePush, value));
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    [Theory]
    [InlineData(0x8000_0000u)]
    [InlineData(0xffff_ffffu)]
    public void SETTINGS_INITIAL_WINDOW_SIZE_above_2_31_minus_1_is_a_connection_error_FLOW_CONTROL_ERROR(uint value)
    {
        var client = Connected();
        client.SendSettings(Setting(Http2SettingId.InitialWindowSize, value));
        client.ExpectConnectionError(Http2ErrorCode.FlowControlError, 0);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(16_383u)]
    [InlineData(16_777_216u)]
    public void SETTINGS_MAX_FRAME_SIZE_outside_2_14_to_2_24_minus_1_is_a_connection_error_PROTOCOL_ERROR(uint value)
    {
        var client = Connected();
        client.SendSettings(Setting(Http2SettingId.MaxFrameSize, value));
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    [Fact]
    public void Valid_settings_at_their_bounds_and_unknown_identifiers_are_acknowledged()
    {
        var client = Connected();
        client.SendSettings(
            Setting(Http2SettingId.EnablePush, 1),
            Setting(Http2SettingId.InitialWindowSize, int.MaxValue),
            Setting(Http2SettingId.MaxFrameSize, 16_777_215),
            Setting(Http2SettingId.HeaderTableSize, 0),
            (0x00ff, 12345),
            (0xfa5e, 0xffff_ffff));
        var ack = Assert.Single(client.Read());
        Assert.True(ack.Type == Http2FrameType.Settings && ack.Has(Http2Flags.Ack) && ack.Payload.Length == 0 && ack.StreamId == 0);
        client.AssertUsable();
    }

    [Fact]
    public void A_PING_is_answered_with_an_ACK_echoing_its_payload()
    {
        var client = Connected();
        byte[] payload = [1, 2, 3, 4, 5, 6, 7, 8];
        client.SendPing(payload);
        var ack = Assert.Single(client.Read());
        Assert.Equal(Http2FrameType.Ping, ack.Type);
        Assert.Equal(Http2Flags.Ack, ack.Flags);
        Assert.Equal(0, ack.StreamId);
        Assert.Equal(payload, ack.Payload);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(9)]
    public void A_PING_whose_length_is_not_8_is_a_connection_error_FRAME_SIZE_ERROR(int length)
    {
        var client = Connected();
        client.SendPing(new byte[length]);
        client.ExpectConnectionError(Http2ErrorCode.FrameSizeError, 0);
    }

    [Fact]
    public void A_PING_on_a_stream_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        client.SendFrame(Http2FrameType.Ping, 0, 1, new byte[8]);
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    [Fact]
    public void A_PING_ACK_from_the_client_is_not_answered()
    {
        var client = Connected();
        client.SendPing(new byte[8], ack: true);
        client.ExpectIgnored();
    }

    [Fact]
    public void A_client_GOAWAY_on_an_idle_connection_closes_it()
    {
        var client = Connected();
        client.SendGoAway(0, Http2ErrorCode.NoError);
        var goAway = Assert.Single(client.Read());
        Assert.Equal(Http2FrameType.GoAway, goAway.Type);
        Assert.Equal(Http2ErrorCode.NoError, goAway.ErrorCode);
        Assert.True(client.Connection.IsClosed);
    }

    [Fact]
    public void After_a_client_GOAWAY_the_stream_in_progress_completes_then_the_connection_closes()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendGoAway(0, Http2ErrorCode.NoError);
        Assert.Empty(client.Read());
        Assert.False(client.Connection.IsClosed);
        client.SendData(id, "body", endStream: true);
        var frames = client.Read();
        Assert.Equal("body", ResponseOf(frames, id).BodyText);
        Assert.Equal(Http2FrameType.GoAway, frames[^1].Type);
        Assert.Equal(Http2ErrorCode.NoError, frames[^1].ErrorCode);
        Assert.Equal(id, frames[^1].LastStreamId);
        Assert.True(client.Connection.IsClosed);
    }

    [Fact]
    public void A_GOAWAY_shorter_than_8_bytes_is_a_connection_error_FRAME_SIZE_ERROR()
    {
        var client = Connected();
        client.SendFrame(Http2FrameType.GoAway, 0, 0, new byte[7]);
        client.ExpectConnectionError(Http2ErrorCode.FrameSizeError, 0);
    }

    [Fact]
    public void A_GOAWAY_on_a_stream_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        client.SendFrame(Http2FrameType.GoAway, 0, 1, new byte[8]);
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    private static H2Client Connected()
    {
        var client = new H2Client();
        client.Handshake();
        return client;
    }
}
