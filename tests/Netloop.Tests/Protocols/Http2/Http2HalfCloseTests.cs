using Netloop.Http;
using Netloop.Protocols.Http2;
using Netloop.Tests.Protocols.Http2.Support;

namespace Netloop.Tests.Protocols.Http2;

/// <summary>
/// The client half-closes (FIN) while streams are open. A stream whose request it had ended is still answered; one it
/// had not ended can never get the rest of its body, so it ends at once (found by the HTTP/2 connection property test:
/// such a stream stayed open forever, holding the connection).
/// </summary>
public class Http2HalfCloseTests
{
    [Fact]
    public void A_stream_awaiting_its_body_ends_when_the_client_half_closes_and_the_connection_closes()
    {
        Exception? bodyError = null;
        bool aborted = false;
        var client = new H2Client(handler: async context =>
        {
            if (context.Request.Path == "/")
            {
                context.Response.WriteText("hello");
                return;
            }
            try
            {
                await context.Request.Body.ReadAllAsync();
            }
            catch (Exception e)
            {
                bodyError = e;
                aborted = context.RequestAborted.IsCancellationRequested;
            }
        });
        client.Handshake();
        int id = client.SendRequest("POST", "/upload", endStream: false);
        client.SendData(id, "part of the body");
        Assert.Empty(client.Read());

        client.Connection.CompleteInput();
        var frames = client.Read();

        Assert.IsType<ClientDisconnectedException>(bodyError);
        Assert.True(aborted);
        Assert.True(client.Connection.IsClosed, "the connection stays open: " + H2Client.Describe(frames));
        Assert.Contains(frames, f => f.Type == Http2FrameType.RstStream && f.StreamId == id && f.ErrorCode == Http2ErrorCode.Cancel);
        Assert.Equal(Http2FrameType.GoAway, frames[^1].Type);
    }

    [Fact]
    public void A_stream_the_client_ended_is_still_answered_after_the_half_close()
    {
        var client = new H2Client();
        client.Handshake();
        int held = client.SendRequest("GET", "/hold");
        int upload = client.SendRequest("POST", "/echo", endStream: false);
        Assert.Empty(client.Read());

        client.Connection.CompleteInput();
        var frames = client.Read();
        Assert.Contains(frames, f => f.Type == Http2FrameType.RstStream && f.StreamId == upload);
        Assert.False(client.Connection.IsClosed);

        client.App.Release();
        frames = client.Read();
        Assert.Equal("held", H2Client.ResponseOf(frames, held).BodyText);
        Assert.True(client.Connection.IsClosed);
    }
}
