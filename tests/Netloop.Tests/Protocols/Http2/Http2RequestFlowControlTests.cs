using System.Globalization;
using Netloop.Http;
using Netloop.Protocols.Http1;
using Netloop.Protocols.Http2;
using Netloop.Tests.Support;

namespace Netloop.Tests.Protocols.Http2;

/// <summary>
/// Request bodies under flow control, in memory: the client sends only what the windows allow, so an upload completes
/// only if every byte the handler reads (or the server throws away) is given back to the connection and the stream.
/// </summary>
public class Http2RequestFlowControlTests
{
    private const int Frame = 16 * 1024;

    private TaskCompletionSource _gate = new();

    private Http2TestClient Connect() => new(new HttpProtocolFactory(Handle).Create());

    /// <summary>/count reads the body and answers its length; /gated waits for the test before reading; /ignore waits and never reads.</summary>
    private async ValueTask Handle(HttpContext context)
    {
        string path = context.Request.Path.ToString();
        if (path != "/count") await _gate.Task;
        long total = 0;
        if (path != "/ignore")
        {
            var buffer = new byte[Frame];
            int n;
            while ((n = await context.Request.Body.ReadAsync(buffer)) > 0) total += n;
        }
        context.Response.WriteText(total.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Uploads <paramref name="body"/> on a new stream as the windows allow, pumping the server between rounds.</summary>
    /// <remarks>
    /// <paramref name="frameByFrame"/>: the handler reads each frame as it arrives, and END_STREAM comes alone in an
    /// empty DATA frame (as some clients send it), so the last bytes are read before the stream ends.
    /// </remarks>
    private static int Upload(Http2TestClient client, byte[] body, string path = "/count", bool frameByFrame = false)
    {
        int id = client.Request("POST", path, endStream: false);
        int offset = 0;
        while (offset < body.Length)
        {
            int before = offset;
            offset = client.SendWithinWindows(id, body, offset, Frame, frameByFrame ? 1 : int.MaxValue, endStream: !frameByFrame);
            if (frameByFrame && offset == body.Length) client.Data(id, [], endStream: true);
            client.Pump();
            Assert.True(offset > before || client.ConnectionWindow > 0 && client.StreamWindow(id) > 0,
                $"stalled at {offset:N0} of {body.Length:N0} bytes: connection window {client.ConnectionWindow}, stream window {client.StreamWindow(id)}");
        }
        client.Pump();
        return id;
    }

    private static void AssertAnswered(Http2TestClient client, int id, long expectedLength)
    {
        var response = client.Responses[id];
        Assert.Null(client.GoAway);
        Assert.Null(response.Reset);
        Assert.True(response.Ended, $"stream {id} did not end");
        Assert.Equal(200, response.Status);
        Assert.Equal(expectedLength.ToString(CultureInfo.InvariantCulture), response.Text);
    }

    [Fact]
    public void A_10_MB_upload_in_16_KiB_frames_completes_within_the_windows()
    {
        var client = Connect();
        var body = new byte[10 * 1024 * 1024];
        int id = Upload(client, body);
        AssertAnswered(client, id, body.Length);
        Assert.True(client.ConnectionWindowUpdates > 0);
        Assert.True(client.StreamWindowUpdates > 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fifty_sequential_1_MB_uploads_on_one_connection_complete(bool frameByFrame)
    {
        var client = Connect();
        var body = new byte[1024 * 1024];
        for (int i = 0; i < 50; i++)
        {
            int id = Upload(client, body, frameByFrame: frameByFrame);
            AssertAnswered(client, id, body.Length);
        }
        // Everything read was given back: the client may send as much as at the start, less what is batched.
        Assert.True(client.ConnectionWindow >= 512 * 1024, $"connection window {client.ConnectionWindow}");
    }

    [Fact]
    public void A_handler_that_does_not_read_holds_back_its_own_stream_only()
    {
        var client = Connect();
        var slowBody = new byte[2 * 1024 * 1024];
        int slow = client.Request("POST", "/gated", endStream: false);
        int slowOffset = client.SendWithinWindows(slow, slowBody, 0, Frame);
        client.Pump();
        Assert.True(slowOffset < slowBody.Length);
        Assert.Equal(0, client.StreamWindow(slow)); // its whole window is buffered, unread

        var body = new byte[10 * 1024 * 1024];
        int fast = Upload(client, body);
        AssertAnswered(client, fast, body.Length);
        Assert.False(client.Responses[slow].Ended);

        _gate.SetResult();
        client.Pump();
        while (slowOffset < slowBody.Length)
        {
            int before = slowOffset;
            slowOffset = client.SendWithinWindows(slow, slowBody, slowOffset, Frame);
            client.Pump();
            Assert.True(slowOffset > before, $"the slow stream stalled at {slowOffset:N0} bytes once its handler read");
        }
        client.Pump();
        AssertAnswered(client, slow, slowBody.Length);
    }

    [Fact]
    public void Padding_is_given_back_to_the_connection_and_the_stream_even_before_the_handler_reads()
    {
        var client = Connect();
        int id = client.Request("POST", "/gated", endStream: false);
        // 5,000 frames of 1 byte and 250 of padding: 1.25 MB of window, past both the stream's and the connection's.
        const int frames = 5_000;
        for (int i = 0; i < frames; i++)
        {
            Assert.True(client.ConnectionWindow >= 252 && client.StreamWindow(id) >= 252,
                $"frame {i}: connection window {client.ConnectionWindow}, stream window {client.StreamWindow(id)}");
            client.Data(id, [42], endStream: i == frames - 1, padding: 250);
            client.Pump();
        }
        _gate.SetResult();
        client.Pump();
        AssertAnswered(client, id, frames);
    }

    [Fact]
    public void Bodies_a_handler_never_reads_are_given_back_when_its_stream_ends()
    {
        var client = Connect();
        var body = new byte[600 * 1024];
        // Each body fits the stream window; together they are three times the connection window.
        for (int i = 0; i < 5; i++)
        {
            _gate = new TaskCompletionSource();
            int id = client.Request("POST", "/ignore", endStream: false);
            int offset = client.SendWithinWindows(id, body, 0, Frame);
            client.Pump();
            Assert.Equal(body.Length, offset);
            _gate.SetResult();
            client.Pump();
            AssertAnswered(client, id, 0);
        }
    }

    [Fact]
    public void A_response_that_ends_before_the_upload_does_gives_the_rest_back()
    {
        var client = Connect();
        _gate.SetResult();
        var body = new byte[700 * 1024];
        for (int i = 0; i < 5; i++)
        {
            // The handler answers at once; the client is told to stop (RST_STREAM NO_ERROR) and what it sent is credited.
            int id = client.Request("POST", "/ignore", endStream: false);
            client.Data(id, body.AsSpan(0, Frame), endStream: false);
            client.Pump();
            Assert.True(client.Responses[id].Ended);
            Assert.Equal(Http2ErrorCode.NoError, client.Responses[id].Reset);
            client.SendWithinWindows(id, body, Frame, Frame); // in flight before the client saw the reset
            client.Pump();
        }
        Assert.Null(client.GoAway);
        int last = Upload(client, new byte[2 * 1024 * 1024]);
        AssertAnswered(client, last, 2 * 1024 * 1024);
    }

    [Fact]
    public void A_stream_the_client_resets_gives_back_what_it_left_unread()
    {
        var client = Connect();
        var body = new byte[700 * 1024];
        for (int i = 0; i < 5; i++)
        {
            int id = client.Request("POST", "/gated", endStream: false);
            client.SendWithinWindows(id, body, 0, Frame);
            client.Pump();
            client.Reset(id, Http2ErrorCode.Cancel);
            client.Pump();
        }
        _gate.SetResult();
        client.Pump();
        int last = Upload(client, new byte[2 * 1024 * 1024]);
        AssertAnswered(client, last, 2 * 1024 * 1024);
    }
}
