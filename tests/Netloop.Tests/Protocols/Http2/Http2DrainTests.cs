using Netloop.Protocols.Http2;
using Netloop.Tests.Protocols.Http2.Support;

namespace Netloop.Tests.Protocols.Http2;

/// <summary>
/// HTTP/2 at a graceful stop (RFC 9113 §6.8), in memory: GOAWAY with the highest stream id and a PING first, so streams
/// already on the wire are served; the final GOAWAY after the PING's ACK (or the drain grace) names the last stream
/// served; open streams finish; then the connection closes.
/// </summary>
public class Http2DrainTests
{
    [Fact]
    public void The_stop_announces_goaway_and_ping_then_serves_streams_already_sent_and_closes_after_the_last_one()
    {
        var client = new H2Client();
        client.Handshake();
        int held = client.SendRequest("GET", "/hold");
        Assert.Empty(client.Read()); // the handler waits

        Assert.True(client.Connection.BeginShutdown());
        var announce = client.Read();
        var goAway = Assert.Single(announce, f => f.Type == Http2FrameType.GoAway);
        Assert.Equal(int.MaxValue, goAway.LastStreamId);
        Assert.Equal(Http2ErrorCode.NoError, goAway.ErrorCode);
        var ping = Assert.Single(announce, f => f.Type == Http2FrameType.Ping);
        Assert.False(ping.Has(Http2Flags.Ack));
        Assert.False(client.Connection.IsClosed);

        // A request the client sent before it saw the GOAWAY is still served.
        int onTheWire = client.SendRequest("GET", "/");
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(client.ReadResponse(onTheWire).Body));

        client.SendPing(ping.Payload, ack: true);
        var final = Assert.Single(client.Read(), f => f.Type == Http2FrameType.GoAway);
        Assert.Equal(onTheWire, final.LastStreamId);
        Assert.False(client.Connection.IsClosed); // the held stream is still open

        client.SendRequest("GET", "/"); // after the final GOAWAY: above its last stream id, ignored
        Assert.DoesNotContain(client.Read(), f => f.Type == Http2FrameType.Headers);

        client.App.Release();
        Assert.Equal("held", System.Text.Encoding.ASCII.GetString(client.ReadResponse(held).Body));
        Assert.True(client.Connection.IsClosed);
    }

    [Fact]
    public void An_idle_connection_whose_client_never_acknowledges_the_ping_gets_the_final_goaway_at_the_end_of_the_grace()
    {
        var client = new H2Client();
        client.Handshake();
        int served = client.SendRequest("GET", "/");
        client.ReadResponse(served);

        Assert.True(client.Connection.BeginShutdown());
        Assert.Contains(client.Read(), f => f.Type == Http2FrameType.GoAway && f.LastStreamId == int.MaxValue);
        Assert.False(client.Connection.IsClosed); // idle, but a HEADERS frame may be on the wire

        client.Connection.EndDrainGrace();
        var final = Assert.Single(client.Read(), f => f.Type == Http2FrameType.GoAway);
        Assert.Equal(served, final.LastStreamId);
        Assert.True(client.Connection.IsClosed);
    }
}
