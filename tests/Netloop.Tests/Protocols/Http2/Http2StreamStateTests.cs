using Netloop.Protocols.Http2;
using Netloop.Tests.Protocols.Http2.Support;

namespace Netloop.Tests.Protocols.Http2;

/// <summary>RFC 9113 §5.1 (stream states), §5.1.1 (stream identifiers) and §5.1.2 (concurrency), frame by frame.</summary>
public class Http2StreamStateTests
{
    [Theory]
    [InlineData((byte)Http2FrameType.Data, new byte[] { 1, 2, 3 })]
    [InlineData((byte)Http2FrameType.RstStream, new byte[] { 0, 0, 0, 8 })]
    [InlineData((byte)Http2FrameType.Priority, new byte[] { 0, 0, 0, 0, 15 })]
    [InlineData((byte)Http2FrameType.Continuation, new byte[] { 0x82 })]
    public void A_frame_that_needs_a_stream_on_stream_0_is_a_connection_error_PROTOCOL_ERROR(byte frameType, byte[] payload)
    {
        var type = (Http2FrameType)frameType;
        var client = Connected();
        client.SendFrame(type, type == Http2FrameType.Continuation ? Http2Flags.EndHeaders : Http2Flags.None, 0, payload);
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    [Fact]
    public void HEADERS_on_stream_0_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        client.SendHeaders(0, true, H2Client.RequestFields("GET", "/"));
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    [Theory]
    [InlineData((byte)Http2FrameType.Data, new byte[] { 1, 2, 3 })]
    [InlineData((byte)Http2FrameType.RstStream, new byte[] { 0, 0, 0, 8 })]
    [InlineData((byte)Http2FrameType.WindowUpdate, new byte[] { 0, 0, 0, 1 })]
    [InlineData((byte)Http2FrameType.Continuation, new byte[] { 0x82 })]
    public void A_frame_other_than_HEADERS_or_PRIORITY_on_an_idle_stream_is_a_connection_error_PROTOCOL_ERROR(byte frameType, byte[] payload)
    {
        var type = (Http2FrameType)frameType;
        var client = Connected();
        int first = client.SendRequest("GET", "/");
        client.ReadResponse(first);
        client.SendFrame(type, type == Http2FrameType.Continuation ? Http2Flags.EndHeaders : Http2Flags.None, 5, payload);
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, first);
    }

    [Fact]
    public void PRIORITY_on_an_idle_stream_is_allowed_and_the_stream_can_still_be_opened()
    {
        var client = Connected();
        client.SendPriority(3, 0);
        client.SendPriority(9, 3, exclusive: true);
        Assert.Empty(client.Read());
        int id = client.SendRequest("GET", "/");
        Assert.Equal(1, id);
        Assert.Equal(200, client.ReadResponse(id).Status);
        client.AssertUsable();
    }

    [Fact]
    public void HEADERS_on_an_even_stream_id_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        client.SendHeaders(2, true, H2Client.RequestFields("GET", "/"));
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    [Fact]
    public void HEADERS_on_a_lower_stream_id_never_opened_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        client.SendHeaders(5, true, H2Client.RequestFields("GET", "/"));
        Assert.Equal(200, client.ReadResponse(5).Status);
        client.SendHeaders(3, true, H2Client.RequestFields("GET", "/"));
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 5);
    }

    [Fact]
    public void HEADERS_on_a_lower_stream_id_never_opened_while_the_higher_stream_is_open_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        client.SendHeaders(3, false, H2Client.RequestFields("POST", "/echo"));
        Assert.Empty(client.Read());
        client.SendHeaders(1, true, H2Client.RequestFields("GET", "/"));
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 3);
    }

    [Fact]
    public void DATA_on_a_half_closed_remote_stream_is_a_stream_error_STREAM_CLOSED()
    {
        var client = Connected();
        int id = client.SendRequest("GET", "/hold");
        Assert.Empty(client.Read());
        client.SendData(id, "late", endStream: true);
        client.ExpectStreamError(id, Http2ErrorCode.StreamClosed);
        client.App.Release();
        Assert.Empty(client.Read());
    }

    [Fact]
    public void HEADERS_on_a_half_closed_remote_stream_is_a_stream_error_STREAM_CLOSED_and_its_block_still_updates_HPACK()
    {
        var client = Connected();
        int id = client.SendRequest("GET", "/hold");
        Assert.Empty(client.Read());
        // The client's encoder adds x-trailer to its dynamic table: the next request refers to it by index.
        client.SendHeaders(id, true, ("x-trailer", "one"));
        client.ExpectStreamError(id, Http2ErrorCode.StreamClosed);
        int next = client.SendRequest("POST", "/echo", endStream: false, ("x-trailer", "one"));
        client.SendData(next, "in step", endStream: true);
        Assert.Equal("in step", client.ReadResponse(next).BodyText);
        client.App.Release();
        Assert.Empty(client.Read());
    }

    [Fact]
    public void DATA_on_a_closed_stream_is_a_connection_error_STREAM_CLOSED()
    {
        var client = Connected();
        int id = client.SendRequest("GET", "/");
        client.ReadResponse(id);
        client.SendData(id, "late", endStream: true);
        client.ExpectConnectionError(Http2ErrorCode.StreamClosed, id);
    }

    [Fact]
    public void HEADERS_on_a_closed_stream_is_a_connection_error_STREAM_CLOSED()
    {
        var client = Connected();
        int id = client.SendRequest("GET", "/");
        client.ReadResponse(id);
        client.SendHeaders(id, true, ("x-trailer", "late"));
        client.ExpectConnectionError(Http2ErrorCode.StreamClosed, id);
    }

    [Fact]
    public void DATA_after_the_client_reset_the_stream_is_a_stream_error_STREAM_CLOSED()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/hold", endStream: false);
        client.SendRstStream(id, Http2ErrorCode.Cancel);
        client.SendData(id, "late");
        client.ExpectStreamError(id, Http2ErrorCode.StreamClosed);
        client.App.Release();
    }

    [Fact]
    public void HEADERS_after_the_client_reset_the_stream_is_a_stream_error_STREAM_CLOSED_and_its_block_still_updates_HPACK()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/hold", endStream: false);
        client.SendRstStream(id, Http2ErrorCode.Cancel);
        client.SendHeaders(id, true, ("x-trailer", "after-reset"));
        client.ExpectStreamError(id, Http2ErrorCode.StreamClosed);
        int next = client.SendRequest("POST", "/echo", endStream: false, ("x-trailer", "after-reset"));
        client.SendData(next, "in step", endStream: true);
        Assert.Equal("in step", client.ReadResponse(next).BodyText);
        client.App.Release();
    }

    [Fact]
    public void WINDOW_UPDATE_RST_STREAM_and_PRIORITY_on_a_closed_stream_are_ignored()
    {
        var client = Connected();
        int id = client.SendRequest("GET", "/");
        client.ReadResponse(id);
        client.SendWindowUpdate(id, 100);
        client.SendRstStream(id, Http2ErrorCode.Cancel);
        client.SendPriority(id, 0);
        client.ExpectIgnored();
    }

    [Fact]
    public void DATA_and_trailers_still_in_flight_on_a_stream_the_server_reset_are_ignored_and_the_trailers_decoded()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false, ("content-length", "2"));
        client.SendData(id, "too long");
        client.ExpectStreamError(id, Http2ErrorCode.ProtocolError);
        client.SendData(id, "more");
        client.SendHeaders(id, true, ("x-trailer", "two"));
        Assert.Empty(client.Read());
        int next = client.SendRequest("POST", "/echo", endStream: false, ("x-trailer", "two"));
        client.SendData(next, "in step", endStream: true);
        Assert.Equal("in step", client.ReadResponse(next).BodyText);
    }

    [Fact]
    public void A_RST_STREAM_from_the_client_closes_its_stream_and_the_connection_goes_on()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendRstStream(id, Http2ErrorCode.Cancel);
        client.ExpectIgnored();
    }

    [Fact]
    public void A_stream_beyond_MAX_CONCURRENT_STREAMS_is_refused_with_REFUSED_STREAM_and_the_others_go_on()
    {
        var client = new H2Client(limits => limits.Http2.MaxConcurrentStreams = 2);
        client.Handshake();
        Assert.Contains((Http2SettingId.MaxConcurrentStreams, 2u), client.ServerSettings!.Settings());
        int first = client.SendRequest("POST", "/echo", endStream: false);
        int second = client.SendRequest("POST", "/echo", endStream: false);
        int third = client.SendRequest("GET", "/");
        var reset = Assert.Single(client.Read());
        Assert.Equal(Http2FrameType.RstStream, reset.Type);
        Assert.Equal(third, reset.StreamId);
        Assert.Equal(Http2ErrorCode.RefusedStream, reset.ErrorCode);
        Assert.Equal(2, client.App.Requests);
        client.SendData(first, "one", endStream: true);
        Assert.Equal("one", client.ReadResponse(first).BodyText);
        client.AssertUsable();
        client.SendData(second, "two", endStream: true);
        Assert.Equal("two", client.ReadResponse(second).BodyText);
    }

    [Fact]
    public void After_MaxStreamsPerConnection_streams_the_server_sends_GOAWAY_serves_those_and_ignores_later_ones()
    {
        var client = new H2Client(limits => limits.Http2.MaxStreamsPerConnection = 3);
        client.Handshake();
        Assert.Equal(200, client.ReadResponse(client.SendRequest("GET", "/")).Status);
        Assert.Equal(200, client.ReadResponse(client.SendRequest("GET", "/")).Status);
        int last = client.SendRequest("GET", "/hold");
        var goAway = Assert.Single(client.Read());
        Assert.Equal(Http2FrameType.GoAway, goAway.Type);
        Assert.Equal(Http2ErrorCode.NoError, goAway.ErrorCode);
        Assert.Equal(last, goAway.LastStreamId);
        int beyond = client.SendRequest("GET", "/");
        Assert.Empty(client.Read());
        client.App.Release();
        var frames = client.Read();
        Assert.Equal("held", H2Client.ResponseOf(frames, last).BodyText);
        Assert.DoesNotContain(frames, f => f.StreamId == beyond);
        Assert.Equal(3, client.App.Requests);
        Assert.True(client.Connection.IsClosed);
    }

    private static H2Client Connected()
    {
        var client = new H2Client();
        client.Handshake();
        return client;
    }
}
