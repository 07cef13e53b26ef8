using Netloop.Protocols.Http2;
using Netloop.Tests.Protocols.Http2.Support;

namespace Netloop.Tests.Protocols.Http2;

/// <summary>Well-formed exchanges frame by frame: what a conforming client sends is served, and the response frames are well formed.</summary>
public class Http2ExchangeTests
{
    [Fact]
    public void A_GET_is_answered_with_decodable_response_HEADERS_and_DATA_ending_the_stream()
    {
        var client = Connected();
        int id = client.SendRequest("GET", "/");
        var frames = client.Read();
        Assert.Equal(Http2FrameType.Headers, frames[0].Type);
        Assert.True(frames[0].Has(Http2Flags.EndHeaders));
        var response = H2Client.ResponseOf(frames, id);
        Assert.Equal(":status", response.Fields[0].Name);
        Assert.Equal(200, response.Status);
        Assert.Equal("text/plain; charset=utf-8", response.Header("content-type"));
        Assert.Equal("5", response.Header("content-length"));
        Assert.NotNull(response.Header("date"));
        Assert.All(response.Fields, f => Assert.Equal(f.Name.ToLowerInvariant(), f.Name));
        Assert.DoesNotContain(response.Fields, f => f.Name is "connection" or "keep-alive" or "transfer-encoding");
        Assert.Equal("hello", response.BodyText);
    }

    [Fact]
    public void Responses_on_a_keep_alive_stream_decode_against_the_dynamic_table()
    {
        var client = Connected();
        for (int i = 0; i < 5; i++)
        {
            var response = client.ReadResponse(client.SendRequest("GET", "/"));
            Assert.Equal(200, response.Status);
            Assert.Equal("text/plain; charset=utf-8", response.Header("content-type"));
        }
    }

    [Fact]
    public void A_HEAD_gets_the_head_of_a_GET_and_no_DATA()
    {
        var client = Connected();
        int id = client.SendRequest("HEAD", "/");
        var frames = client.Read();
        var headers = Assert.Single(frames);
        Assert.Equal(Http2FrameType.Headers, headers.Type);
        Assert.True(headers.Has(Http2Flags.EndStream));
        var response = H2Client.ResponseOf(frames, id);
        Assert.Equal(200, response.Status);
        Assert.Equal("5", response.Header("content-length"));
    }

    [Fact]
    public void A_POST_body_over_several_DATA_frames_with_padding_reaches_the_handler()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false, ("content-type", "text/plain"));
        client.SendData(id, "one,");
        client.SendData(id, "two,", padLength: 7);
        client.SendData(id, "", padLength: 0);
        client.SendData(id, "three", endStream: true, padLength: 255);
        var response = client.ReadResponse(id);
        Assert.Equal(200, response.Status);
        Assert.Equal("one,two,three", response.BodyText);
        client.AssertUsable();
    }

    [Fact]
    public void Request_trailers_end_the_body_and_are_accepted()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false, ("te", "trailers"));
        client.SendData(id, "payload");
        client.SendHeaders(id, true, ("x-checksum", "abc"), ("grpc-status", "0"));
        var response = client.ReadResponse(id);
        Assert.Equal("payload", response.BodyText);
        client.AssertUsable();
    }

    [Fact]
    public void A_padded_HEADERS_frame_with_priority_fields_is_a_request()
    {
        var client = Connected();
        byte[] block = client.Encode(H2Client.RequestFields("GET", "/"));
        client.SendFrame(Http2FrameType.Headers, Http2Flags.Padded | Http2Flags.Priority | Http2Flags.EndHeaders | Http2Flags.EndStream, 1,
            [4, 0, 0, 0, 0, 16, .. block, 0, 0, 0, 0]);
        Assert.Equal("hello", client.ReadResponse(1).BodyText);
    }

    [Fact]
    public void Requests_on_stream_ids_that_skip_some_are_served()
    {
        var client = Connected();
        client.NextStreamId = 7;
        Assert.Equal(200, client.ReadResponse(client.SendRequest("GET", "/")).Status);
        client.NextStreamId = 201;
        Assert.Equal(200, client.ReadResponse(client.SendRequest("GET", "/")).Status);
        client.AssertUsable();
    }

    [Fact]
    public void Interleaved_streams_each_get_their_own_response()
    {
        var client = Connected();
        int a = client.SendRequest("POST", "/echo", endStream: false);
        int b = client.SendRequest("POST", "/echo", endStream: false);
        client.SendData(b, "bee");
        client.SendData(a, "ay");
        client.SendData(b, "", endStream: true);
        Assert.Equal("bee", client.ReadResponse(b).BodyText);
        client.SendData(a, "", endStream: true);
        Assert.Equal("ay", client.ReadResponse(a).BodyText);
    }

    private static H2Client Connected()
    {
        var client = new H2Client();
        client.Handshake();
        return client;
    }
}
