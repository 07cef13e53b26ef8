using Netloop.Protocols.Http2;
using Netloop.Tests.Protocols.Http2.Support;
using static Netloop.Tests.Protocols.Http2.Support.H2Client;

namespace Netloop.Tests.Protocols.Http2;

/// <summary>
/// RFC 9113 §4 (frame size, unknown types), §6.1–§6.4 and §6.6 (padding, PRIORITY, RST_STREAM, PUSH_PROMISE) and
/// §6.10 (CONTINUATION), frame by frame.
/// </summary>
public class Http2FrameFormatTests
{
    [Theory]
    [InlineData((byte)Http2FrameType.Data)]
    [InlineData((byte)Http2FrameType.Headers)]
    [InlineData((byte)Http2FrameType.Ping)]
    [InlineData(0xbb)]
    public void A_frame_larger_than_the_advertised_MAX_FRAME_SIZE_is_a_connection_error_FRAME_SIZE_ERROR(byte frameType)
    {
        var type = (Http2FrameType)frameType;
        var client = Connected();
        Assert.Contains((Http2SettingId.MaxFrameSize, 16_384u), client.ServerSettings!.Settings());
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendFrame(type, 0, type == Http2FrameType.Ping ? 0 : id, new byte[16_385]);
        client.ExpectConnectionError(Http2ErrorCode.FrameSizeError, id);
    }

    [Fact]
    public void A_frame_of_exactly_MAX_FRAME_SIZE_is_accepted()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendData(id, new byte[16_384], endStream: true);
        Assert.Equal(16_384, client.ReadResponse(id).Body.Length);
    }

    [Fact]
    public void A_larger_MAX_FRAME_SIZE_setting_is_accepted_for_larger_frames()
    {
        var client = new H2Client(limits => limits.Http2.MaxFrameSize = 32 * 1024);
        client.Handshake();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendData(id, new byte[32 * 1024], endStream: true);
        Assert.Equal(32 * 1024, client.ReadResponse(id).Body.Length);
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(3, 200)]
    [InlineData(0, 1)]
    public void DATA_padding_as_long_as_the_payload_or_longer_is_a_connection_error_PROTOCOL_ERROR(int dataLength, int padLength)
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        // The payload is the pad length byte and dataLength more bytes: a pad length of 1 + dataLength or more is malformed.
        client.SendFrame(Http2FrameType.Data, Http2Flags.Padded, id, [(byte)padLength, .. new byte[dataLength]]);
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, id);
    }

    [Fact]
    public void DATA_padding_that_leaves_no_data_is_accepted()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendFrame(Http2FrameType.Data, Http2Flags.Padded, id, [3, 0, 0, 0]);
        client.SendData(id, "data", endStream: true, padLength: 10);
        Assert.Equal("data", client.ReadResponse(id).BodyText);
    }

    [Fact]
    public void HEADERS_padding_as_long_as_the_payload_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        byte[] block = client.Encode(RequestFields("GET", "/"));
        client.SendFrame(Http2FrameType.Headers, Http2Flags.Padded | Http2Flags.EndHeaders | Http2Flags.EndStream, 1, [(byte)(block.Length + 1), .. block]);
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    [Fact]
    public void HEADERS_padding_that_covers_the_priority_fields_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        // Pad length byte, then 5 bytes: priority fields if unpadded, but the pad length claims 2 of them.
        client.SendFrame(Http2FrameType.Headers, Http2Flags.Padded | Http2Flags.Priority | Http2Flags.EndHeaders, 1, [2, 0, 0, 0, 0, 16]);
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    [Fact]
    public void A_padded_DATA_frame_without_its_pad_length_is_a_connection_error_FRAME_SIZE_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendFrame(Http2FrameType.Data, Http2Flags.Padded, id, []);
        client.ExpectConnectionError(Http2ErrorCode.FrameSizeError, id);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    public void A_RST_STREAM_whose_length_is_not_4_is_a_connection_error_FRAME_SIZE_ERROR(int length)
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendFrame(Http2FrameType.RstStream, 0, id, new byte[length]);
        client.ExpectConnectionError(Http2ErrorCode.FrameSizeError, id);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    public void A_PRIORITY_whose_length_is_not_5_is_a_stream_error_FRAME_SIZE_ERROR(int length)
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendFrame(Http2FrameType.Priority, 0, id, new byte[length]);
        client.ExpectStreamError(id, Http2ErrorCode.FrameSizeError);
    }

    [Fact]
    public void A_PRIORITY_making_a_stream_depend_on_itself_is_a_stream_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendPriority(id, id);
        client.ExpectStreamError(id, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void HEADERS_whose_priority_makes_the_stream_depend_on_itself_is_a_stream_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        byte[] block = client.Encode(RequestFields("GET", "/"));
        client.SendFrame(Http2FrameType.Headers, Http2Flags.Priority | Http2Flags.EndHeaders | Http2Flags.EndStream, 1, [0, 0, 0, 1, 16, .. block]);
        client.ExpectStreamError(1, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void PRIORITY_frames_and_priority_fields_are_parsed_and_ignored()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendPriority(id, 0, weight: 255, exclusive: true);
        client.SendPriority(id, 99);
        client.SendPriority(11, id);
        byte[] block = client.Encode(RequestFields("GET", "/"));
        client.SendFrame(Http2FrameType.Headers, Http2Flags.Priority | Http2Flags.EndHeaders | Http2Flags.EndStream, 3, [0x80, 0, 0, 1, 200, .. block]);
        Assert.Equal("hello", client.ReadResponse(3).BodyText);
        client.SendData(id, "still open", endStream: true);
        Assert.Equal("still open", client.ReadResponse(id).BodyText);
    }

    [Fact]
    public void PUSH_PROMISE_from_a_client_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        byte[] block = client.Encode(RequestFields("GET", "/pushed"));
        client.SendFrame(Http2FrameType.PushPromise, Http2Flags.EndHeaders, id, [.. U32(2), .. block]);
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, id);
    }

    [Fact]
    public void Frames_of_unknown_types_are_ignored_on_any_stream_and_between_header_blocks()
    {
        var client = Connected();
        client.Send(Frame(0xbb, 0xff, 0, [1, 2, 3]));
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.Send(Frame(0x0a, 0, id, new byte[100]));
        client.Send(Frame(0xff, 0, 99, []));
        client.SendData(id, "through", endStream: true);
        Assert.Equal("through", client.ReadResponse(id).BodyText);
        client.ExpectIgnored();
    }

    [Fact]
    public void A_frame_of_unknown_type_inside_a_header_block_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        byte[] block = client.Encode(RequestFields("GET", "/"));
        client.SendFrame(Http2FrameType.Headers, Http2Flags.EndStream, 1, block.AsSpan(..2));
        client.Send(Frame(0xbb, 0, 1, [1, 2, 3]));
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    [Fact]
    public void A_header_block_split_over_CONTINUATION_frames_is_one_request()
    {
        var client = Connected();
        byte[] block = client.Encode(RequestFields("GET", "/", ("x-long", new string('v', 300))));
        client.SendFrame(Http2FrameType.Headers, Http2Flags.EndStream, 1, block.AsSpan(..3));
        client.SendFrame(Http2FrameType.Continuation, 0, 1, block.AsSpan(3..100));
        client.SendFrame(Http2FrameType.Continuation, Http2Flags.EndHeaders, 1, block.AsSpan(100..));
        Assert.Equal("hello", client.ReadResponse(1).BodyText);
        client.AssertUsable();
    }

    [Fact]
    public void CONTINUATION_without_HEADERS_before_it_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendFrame(Http2FrameType.Continuation, Http2Flags.EndHeaders, id, client.Encode(("x-a", "b")));
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, id);
    }

    [Fact]
    public void CONTINUATION_after_a_HEADERS_that_ended_its_block_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("GET", "/hold");
        client.SendFrame(Http2FrameType.Continuation, Http2Flags.EndHeaders, id, client.Encode(("x-a", "b")));
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, id);
    }

    [Fact]
    public void CONTINUATION_on_another_stream_than_its_HEADERS_is_a_connection_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        byte[] block = client.Encode(RequestFields("GET", "/"));
        client.SendFrame(Http2FrameType.Headers, Http2Flags.EndStream, 1, block.AsSpan(..2));
        client.SendFrame(Http2FrameType.Continuation, Http2Flags.EndHeaders, 3, block.AsSpan(2..));
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    [Theory]
    [InlineData((byte)Http2FrameType.Data, 1)]
    [InlineData((byte)Http2FrameType.Headers, 3)]
    [InlineData((byte)Http2FrameType.Priority, 1)]
    [InlineData((byte)Http2FrameType.RstStream, 1)]
    [InlineData((byte)Http2FrameType.Settings, 0)]
    [InlineData((byte)Http2FrameType.Ping, 0)]
    [InlineData((byte)Http2FrameType.WindowUpdate, 0)]
    public void Another_frame_inside_a_header_block_is_a_connection_error_PROTOCOL_ERROR(byte frameType, int streamId)
    {
        var type = (Http2FrameType)frameType;
        var client = Connected();
        byte[] block = client.Encode(RequestFields("POST", "/echo"));
        client.SendFrame(Http2FrameType.Headers, 0, 1, block.AsSpan(..2));
        byte[] payload = type switch
        {
            Http2FrameType.Priority => [0, 0, 0, 0, 16],
            Http2FrameType.RstStream or Http2FrameType.WindowUpdate => [0, 0, 0, 8],
            Http2FrameType.Settings => [],
            Http2FrameType.Ping => new byte[8],
            Http2FrameType.Headers => client.Encode(RequestFields("GET", "/")),
            _ => [1],
        };
        client.SendFrame(type, type == Http2FrameType.Headers ? Http2Flags.EndHeaders : Http2Flags.None, streamId, payload);
        client.ExpectConnectionError(Http2ErrorCode.ProtocolError, 0);
    }

    private static H2Client Connected()
    {
        var client = new H2Client();
        client.Handshake();
        return client;
    }
}
