using Netloop.Protocols.Http2;
using Netloop.Tests.Protocols.Http2.Support;

namespace Netloop.Tests.Protocols.Http2;

/// <summary>
/// <c>expect: 100-continue</c> over HTTP/2 (RFC 9110 §10.1.1; RFC 9113 §8.1: the interim response is a HEADERS frame
/// without END_STREAM): sent when the handler first asks for the body, never when it answers without reading.
/// </summary>
public class Http2ExpectContinueTests
{
    [Fact]
    public void A_handler_reading_the_body_sends_100_first_then_the_response()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false, ("expect", "100-continue"));

        var interim = Assert.Single(client.Read());
        Assert.Equal(Http2FrameType.Headers, interim.Type);
        Assert.Equal(id, interim.StreamId);
        Assert.False(interim.Has(Http2Flags.EndStream));
        Assert.Equal([(":status", "100")], interim.Fields!);

        client.SendData(id, "the body", endStream: true);
        var response = client.ReadResponse(id);
        Assert.Equal(200, response.Status);
        Assert.Equal("the body", response.BodyText);
    }

    [Fact]
    public void The_expectation_matches_in_any_case()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false, ("expect", "100-Continue"));
        Assert.Equal("100", Assert.Single(client.Read()).Fields!.Single().Item2);
    }

    [Fact]
    public void A_handler_answering_without_reading_sends_no_100_and_tells_the_client_to_stop()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/", endStream: false, ("expect", "100-continue"));

        var frames = client.Read();
        var head = Assert.Single(frames, f => f.Type == Http2FrameType.Headers);
        Assert.Contains((":status", "200"), head.Fields!);
        Assert.Contains(frames, f => f.Type == Http2FrameType.Data && f.Has(Http2Flags.EndStream));
        var reset = Assert.Single(frames, f => f.Type == Http2FrameType.RstStream);
        Assert.Equal(Http2ErrorCode.NoError, reset.ErrorCode);
    }

    [Fact]
    public void The_100_is_sent_once_however_many_reads_the_body_takes()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false, ("expect", "100-continue"));
        Assert.Single(client.Read());
        client.SendData(id, "first ");
        Assert.Empty(client.Read());
        client.SendData(id, "second", endStream: true);
        var frames = client.Read();
        Assert.DoesNotContain(frames, f => f.Type == Http2FrameType.Headers && f.Fields!.Contains((":status", "100")));
        Assert.Equal("first second", H2Client.ResponseOf(frames, id).BodyText);
    }

    [Fact]
    public void Without_the_expectation_no_100_is_sent()
    {
        var client = Connected();
        int id = client.SendRequest("POST", "/echo", endStream: false);
        Assert.Empty(client.Read());
        client.SendData(id, "plain", endStream: true);
        Assert.Equal("plain", client.ReadResponse(id).BodyText);
    }

    private static H2Client Connected()
    {
        var client = new H2Client();
        client.Handshake();
        return client;
    }
}
