using Netloop.Protocols.Http2;
using Netloop.Tests.Protocols.Http2.Support;

namespace Netloop.Tests.Protocols.Http2;

/// <summary>
/// RFC 9113 §8.1–§8.3 and §8.5: a malformed request is a stream error PROTOCOL_ERROR (§8.1.1), the connection goes on;
/// an HPACK decoding error is a connection error COMPRESSION_ERROR (§4.3). Each request's fields go through the
/// client's HPACK encoder, so every test also checks the server kept its dynamic table in step.
/// </summary>
public class Http2RequestValidationTests
{
    public static TheoryData<string, (string, string)[]> MalformedHeads => new()
    {
        { "uppercase field name", Fields("GET", "/", ("X-Custom", "1")) },
        { "uppercase letter inside a name", Fields("GET", "/", ("x-cUstom", "1")) },
        { "colon inside a regular name", Fields("GET", "/", ("x:custom", "1")) },
        { "space in a name", Fields("GET", "/", ("x custom", "1")) },
        { "empty name", Fields("GET", "/", ("", "1")) },
        { "connection", Fields("GET", "/", ("connection", "keep-alive")) },
        { "keep-alive", Fields("GET", "/", ("keep-alive", "timeout=5")) },
        { "proxy-connection", Fields("GET", "/", ("proxy-connection", "keep-alive")) },
        { "transfer-encoding", Fields("GET", "/", ("transfer-encoding", "chunked")) },
        { "upgrade", Fields("GET", "/", ("upgrade", "h2c")) },
        { "TE other than trailers", Fields("GET", "/", ("te", "gzip")) },
        { "TE with trailers and more", Fields("GET", "/", ("te", "trailers, deflate")) },
        { "NUL in a value", Fields("GET", "/", ("x-custom", "a\0b")) },
        { "CR in a value", Fields("GET", "/", ("x-custom", "a\rb")) },
        { "LF in a value", Fields("GET", "/", ("x-custom", "a\nb")) },
        { "leading space in a value", Fields("GET", "/", ("x-custom", " a")) },
        { "trailing tab in a value", Fields("GET", "/", ("x-custom", "a\t")) },
        { "missing :method", [(":scheme", "http"), (":path", "/"), (":authority", "localhost")] },
        { "missing :scheme", [(":method", "GET"), (":path", "/"), (":authority", "localhost")] },
        { "missing :path", [(":method", "GET"), (":scheme", "http"), (":authority", "localhost")] },
        { "duplicate :method", [(":method", "GET"), (":method", "GET"), (":scheme", "http"), (":path", "/")] },
        { "duplicate :path", [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":path", "/")] },
        { "duplicate :scheme", [(":method", "GET"), (":scheme", "http"), (":scheme", "http"), (":path", "/")] },
        { "duplicate :authority", Fields("GET", "/", (":authority", "localhost")) },
        { "unknown pseudo-header", Fields("GET", "/", (":custom", "1")) },
        { "response pseudo-header :status", [(":status", "200"), (":method", "GET"), (":scheme", "http"), (":path", "/")] },
        { "pseudo-header after a regular field", [(":method", "GET"), (":scheme", "http"), ("x-custom", "1"), (":path", "/")] },
        { "empty :path", Fields("GET", "") },
        { ":path not starting with /", Fields("GET", "index.html") },
        { ":path absolute-form", Fields("GET", "http://localhost/") },
        { ":path * for GET", Fields("GET", "*") },
        { ":path with a space", Fields("GET", "/a b") },
        { "empty :method", Fields("", "/") },
        { "empty :scheme", [(":method", "GET"), (":scheme", ""), (":path", "/")] },
        { ":protocol without extended CONNECT", Fields("GET", "/", (":protocol", "websocket")) },
        { "CONNECT with :path", [(":method", "CONNECT"), (":authority", "example.com:443"), (":path", "/")] },
        { "CONNECT with :scheme", [(":method", "CONNECT"), (":authority", "example.com:443"), (":scheme", "https")] },
        { "CONNECT without :authority", [(":method", "CONNECT")] },
        { "content-length not a number", Fields("GET", "/", ("content-length", "abc")) },
        { "two content-lengths that differ", Fields("GET", "/", ("content-length", "1"), ("content-length", "2")) },
        { "host differing from :authority", Fields("GET", "/", ("host", "example.com")) },
    };

    [Fact]
    public void A_host_header_equal_to_authority_in_another_case_is_served()
    {
        var client = Connected();
        int id = client.SendRequest("GET", "/", true, ("host", "LocalHost"));
        Assert.Equal(200, client.ReadResponse(id).Status);
    }

    [Theory]
    [MemberData(nameof(MalformedHeads))]
    public void A_malformed_request_head_is_a_stream_error_PROTOCOL_ERROR(string what, (string, string)[] fields)
    {
        var client = Connected();
        client.SendHeaders(1, true, fields);
        client.ExpectStreamError(1, Http2ErrorCode.ProtocolError);
        Assert.True(client.App.Requests == 1, what + ": the handler ran for the malformed request");
    }

    [Theory]
    [InlineData("trailers")]
    [InlineData("TRAILERS")]
    [InlineData("Trailers")]
    public void TE_trailers_is_accepted_in_any_case(string value)
    {
        var client = Connected();
        int id = client.SendRequest("GET", "/", extra: ("te", value));
        Assert.Equal(200, client.ReadResponse(id).Status);
    }

    [Fact]
    public void OPTIONS_with_path_asterisk_is_a_request()
    {
        var client = Connected();
        int id = client.SendRequest("OPTIONS", "*");
        var response = client.ReadResponse(id);
        Assert.NotEqual(0, response.Status);
        client.AssertUsable();
    }

    [Fact]
    public void CONNECT_with_only_authority_is_a_request()
    {
        var client = Connected();
        client.SendHeaders(1, true, (":method", "CONNECT"), (":authority", "example.com:443"));
        Assert.NotEqual(0, client.ReadResponse(1).Status);
        client.AssertUsable();
    }

    [Fact]
    public void A_pseudo_header_in_trailers_is_a_stream_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendData(id, "body");
        client.SendHeaders(id, true, (":path", "/other"));
        client.ExpectStreamError(id, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Trailers_with_an_uppercase_name_are_a_stream_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendData(id, "body");
        client.SendHeaders(id, true, ("X-Checksum", "1"));
        client.ExpectStreamError(id, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void A_second_header_block_without_END_STREAM_is_a_stream_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendHeaders(id, false, ("x-trailer", "1"));
        client.ExpectStreamError(id, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void More_DATA_than_content_length_is_a_stream_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false, ("content-length", "3"));
        client.SendData(id, "abcd", endStream: true);
        client.ExpectStreamError(id, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void More_DATA_than_content_length_over_several_frames_is_a_stream_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false, ("content-length", "5"));
        client.SendData(id, "abc");
        client.SendData(id, "def");
        client.ExpectStreamError(id, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Less_DATA_than_content_length_is_a_stream_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false, ("content-length", "5"));
        client.SendData(id, "abc", endStream: true);
        client.ExpectStreamError(id, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Less_DATA_than_content_length_ended_by_trailers_is_a_stream_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false, ("content-length", "5"));
        client.SendData(id, "abc");
        client.SendHeaders(id, true, ("x-trailer", "1"));
        client.ExpectStreamError(id, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void A_content_length_on_a_request_that_ends_with_its_HEADERS_is_a_stream_error_PROTOCOL_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: true, ("content-length", "5"));
        client.ExpectStreamError(id, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void DATA_matching_content_length_is_accepted()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false, ("content-length", "6"));
        client.SendData(id, "abc");
        client.SendData(id, "def", padLength: 4);
        client.SendData(id, [], endStream: true);
        Assert.Equal("abcdef", client.ReadResponse(id).BodyText);
    }

    public static TheoryData<string, byte[]> BadHpackBlocks => new()
    {
        { "indexed field 0", [0x80] },
        { "index past the dynamic table", [0xff, 0x20] },
        { "table size update above the advertised size", [0x3f, 0xe2, 0x1f] },
        { "table size update after a field", [0x82, 0x20] },
        { "string length past the block", [0x00, 0x05, (byte)'a'] },
        { "integer that overflows", [0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f] },
        { "Huffman string with the EOS symbol", [0x00, 0x84, 0xff, 0xff, 0xff, 0xff, 0x01, (byte)'a'] },
        { "Huffman padding longer than 7 bits", [0x00, 0x82, 0x1f, 0xff, 0x01, (byte)'a'] },
    };

    [Theory]
    [MemberData(nameof(BadHpackBlocks))]
    public void An_HPACK_decoding_error_is_a_connection_error_COMPRESSION_ERROR(string what, byte[] block)
    {
        var client = Connected();
        int first = client.SendRequest("GET", "/");
        client.ReadResponse(first);
        client.SendFrame(Http2FrameType.Headers, Http2Flags.EndHeaders | Http2Flags.EndStream, 3, block);
        // The last stream id names stream 3: its id was taken before its block failed (§6.8 allows "might have
        // taken some action"; the request never reached the app).
        var goAway = client.ExpectConnectionError(Http2ErrorCode.CompressionError, 3);
        Assert.True(goAway.ErrorCode == Http2ErrorCode.CompressionError, what);
    }

    [Fact]
    public void An_HPACK_decoding_error_in_trailers_is_a_connection_error_COMPRESSION_ERROR()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        client.SendFrame(Http2FrameType.Headers, Http2Flags.EndHeaders | Http2Flags.EndStream, id, [0x80]);
        client.ExpectConnectionError(Http2ErrorCode.CompressionError, id);
    }

    private static (string, string)[] Fields(string method, string path, params (string Name, string Value)[] extra) =>
        H2Client.RequestFields(method, path, extra);

    private static H2Client Connected()
    {
        var client = new H2Client();
        client.Handshake();
        return client;
    }
}
