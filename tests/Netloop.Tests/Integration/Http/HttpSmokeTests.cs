using System.Net.Sockets;
using System.Text;
using Netloop.Baselines;
using Netloop.Http;
using Netloop.Protocols.Http1;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration.Http;

public class HttpSmokeTests
{
    private static readonly HttpProtocolFactory s_app = new(context =>
    {
        var path = context.Request.Path;
        if (path == "/plaintext")
        {
            context.Response.WriteText("Hello, World!");
            return ValueTask.CompletedTask;
        }
        if (path == "/async") return AsyncAnswer(context);
        if (path == "/echo") return Echo(context);
        context.Response.StatusCode = 404;
        return ValueTask.CompletedTask;
    });

    private static async ValueTask AsyncAnswer(HttpContext context)
    {
        await Task.Delay(10);
        context.Response.WriteText("later " + context.Request.Query["n"]);
    }

    private static async ValueTask Echo(HttpContext context)
    {
        var body = await context.Request.Body.ReadAllAsync();
        context.Response.Write(body);
    }

    [Theory]
    [InlineData(ServerMode.Epoll)]
    [InlineData(ServerMode.Poll)]
    public async Task Ten_pipelined_requests_in_one_write_get_ten_responses_in_order(ServerMode mode)
    {
        await using var server = TestServer.Start(mode, protocol: s_app);
        using var socket = await Clients.ConnectAsync(server.EndPoint);
        var requests = new StringBuilder();
        for (int i = 0; i < 10; i++) requests.Append(i % 2 == 0 ? $"GET /async?n={i} HTTP/1.1\r\nHost: x\r\n\r\n" : "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n");
        await socket.SendAsync(Encoding.ASCII.GetBytes(requests.ToString()));
        var text = await ReadResponsesAsync(socket, 10);
        int at = 0;
        for (int i = 0; i < 10; i++)
        {
            string expected = i % 2 == 0 ? $"later {i}" : "Hello, World!";
            int found = text.IndexOf(expected, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"response {i} ('{expected}') missing or out of order in:\n{text}");
            at = found + expected.Length;
        }
    }

    [Theory]
    [InlineData(ServerMode.Epoll)]
    [InlineData(ServerMode.Poll)]
    public async Task Posted_body_comes_back(ServerMode mode)
    {
        await using var server = TestServer.Start(mode, protocol: s_app);
        using var socket = await Clients.ConnectAsync(server.EndPoint);
        var body = new string('x', 50_000);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
        var text = await ReadResponsesAsync(socket, 1);
        Assert.Contains($"Content-Length: {body.Length}", text, StringComparison.Ordinal);
        Assert.EndsWith(body, text, StringComparison.Ordinal);
    }

    /// <summary>Reads until <paramref name="count"/> complete Content-Length responses have arrived.</summary>
    internal static async Task<string> ReadResponsesAsync(Socket socket, int count)
    {
        var buffer = new byte[1 << 20];
        var all = new StringBuilder();
        using var cts = new CancellationTokenSource(Clients.Patience);
        while (CountComplete(all.ToString()) < count)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0) break;
            all.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
        return all.ToString();
    }

    private static int CountComplete(string text)
    {
        int count = 0, at = 0;
        while (true)
        {
            int headEnd = text.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            if (headEnd < 0) return count;
            var head = text[at..headEnd];
            int cl = head.IndexOf("Content-Length: ", StringComparison.Ordinal);
            int length = 0;
            if (cl >= 0)
            {
                int end = head.IndexOf("\r\n", cl, StringComparison.Ordinal);
                length = int.Parse(end < 0 ? head[(cl + 16)..] : head[(cl + 16)..end], System.Globalization.CultureInfo.InvariantCulture);
            }
            if (text.Length < headEnd + 4 + length) return count;
            count++;
            at = headEnd + 4 + length;
        }
    }
}
