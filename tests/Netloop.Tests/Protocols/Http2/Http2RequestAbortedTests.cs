using Netloop.Http;
using Netloop.Protocols.Http2;
using Netloop.Tests.Protocols.Http2.Support;

namespace Netloop.Tests.Protocols.Http2;

/// <summary><see cref="HttpContext.RequestAborted"/> over HTTP/2: a stream's reset is its request's abort, and only its.</summary>
public class Http2RequestAbortedTests
{
    [Fact]
    public void Rst_stream_from_the_client_fires_request_aborted_of_that_stream_only()
    {
        var aborted = new Dictionary<string, bool>();
        var client = new H2Client(handler: async context =>
        {
            string path = context.Request.Path;
            if (path == "/") // H2Client's usability check after the handshake
            {
                context.Response.WriteText("hello");
                return;
            }
            aborted[path] = false;
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted[path] = true;
            }
        });
        client.Handshake();
        int first = client.SendRequest("GET", "/first");
        client.SendRequest("GET", "/second");
        Assert.Empty(client.Read());
        Assert.Equal(new Dictionary<string, bool> { ["/first"] = false, ["/second"] = false }, aborted);

        client.SendRstStream(first, Http2ErrorCode.Cancel);
        client.ExpectIgnored();

        Assert.True(aborted["/first"]);
        Assert.False(aborted["/second"]);
    }
}
