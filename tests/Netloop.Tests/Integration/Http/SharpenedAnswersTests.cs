using Netloop.Baselines;
using System.Text;
using Netloop.Http;
using Netloop.Protocols.Http1;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration.Http;

/// <summary>
/// RFC 9112/9110 answers over a real socket to a real server: an empty Host, an over-long method, an overflowing chunk
/// size and an unsafe path get their status and a closed connection, and the application never sees them.
/// </summary>
public class SharpenedAnswersTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost:\r\n\r\n", "400 Bad Request")]
    [InlineData("GET /%00 HTTP/1.1\r\nHost: a\r\n\r\n", "400 Bad Request")]
    [InlineData("GET /static\\..\\secret HTTP/1.1\r\nHost: a\r\n\r\n", "400 Bad Request")]
    [InlineData("SUPERCALIFRAGILISTICEXPIALIDOCIOUSLY / HTTP/1.1\r\nHost: a\r\n\r\n", "501 Not Implemented")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", "400 Bad Request")]
    public async Task Refused_before_the_application_with_its_status_and_a_close(string request, string status)
    {
        int handled = 0;
        var app = new HttpProtocolFactory(context =>
        {
            Interlocked.Increment(ref handled);
            // Reading the body is what meets a chunked body's framing error.
            return DrainAsync(context);
        });
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: app);
        using var socket = await Clients.ConnectAsync(server.EndPoint);

        await socket.SendAsync(Encoding.Latin1.GetBytes(request));
        string response = await HttpTestApp.ReadToCloseAsync(socket);

        Assert.StartsWith($"HTTP/1.1 {status}\r\n", response, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", response, StringComparison.Ordinal);
        if (!request.Contains("chunked", StringComparison.Ordinal)) Assert.Equal(0, Volatile.Read(ref handled));

        // The server carries on with the next client.
        using var next = await Clients.ConnectAsync(server.EndPoint);
        await next.SendAsync("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", await HttpTestApp.ReadToCloseAsync(next), StringComparison.Ordinal);
    }

    private static async ValueTask DrainAsync(HttpContext context)
    {
        await context.Request.Body.ReadAllAsync();
        context.Response.WriteText("ok");
    }
}
