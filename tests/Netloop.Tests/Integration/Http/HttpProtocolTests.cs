using System.Text;
using Netloop.Baselines;
using Netloop.Http;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration.Http;

public class HttpProtocolTests
{
    private static void MapBasics(NetloopApp app)
    {
        app.MapGet("/plaintext", c => c.Response.WriteText("Hello, World!"));
        app.MapGet("/throw", _ => throw new InvalidOperationException("boom"));
        app.MapGet("/throw-async", async _ =>
        {
            await Task.Yield();
            throw new InvalidOperationException("boom later");
        });
        app.MapGet("/users/{id}", c => c.Response.WriteText("user " + c.Route["id"]));
        app.Map(["POST"], "/echo", async c =>
        {
            var body = await c.Request.Body.ReadAllAsync();
            c.Response.Write(body);
        });
        app.Map(["POST"], "/ignore-body", c => c.Response.WriteText("ignored"));
        app.Map(["POST"], "/copy", async c => await c.Request.Body.CopyToAsync(c.Response.Body));
        app.MapGet("/threads", async c =>
        {
            string before = Thread.CurrentThread.Name ?? "?";
            await Task.Delay(5);
            string afterDelay = Thread.CurrentThread.Name ?? "?";
            await Task.Yield();
            c.Response.WriteText($"{before}|{afterDelay}|{Thread.CurrentThread.Name}");
        });
        app.MapGet("/stream", async c =>
        {
            await c.Response.StartAsync();
            for (int i = 0; i < 3; i++)
            {
                await Task.Yield();
                c.Response.WriteText($"part {i};");
            }
        });
    }

    public static TheoryData<string, int> Rejections => new()
    {
        { "GET /plaintext HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400 },
        { "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400 },
        { "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc", 400 },
        { "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0x3\r\n\r\nabc", 400 },
        { "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400 },
        { "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400 },
        { "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;" + new string('e', 5000) + "\r\nabc\r\n0\r\n\r\n", 400 },
        { "GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n", 400 },
        { "GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Space : a\r\n\r\n", 400 },
        { "GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Bare: a\rb\r\n\r\n", 400 },
        { "GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Ctl: a\u0001b\r\n\r\n", 400 },
        { "GET /plaintext HTTP/1.1\r\nHost: x\r\nX\u0001Ctl: ab\r\n\r\n", 400 },
        { "GE(T /plaintext HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "GET plaintext HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "GET /plain text HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "GET /plaintext HTTP/2.0\r\nHost: x\r\n\r\n", 505 },
        { "GET /plaintext HTTP/1.2\r\nHost: x\r\n\r\n", 505 },
        { "GET /plaintext HTTP/1.1\r\n\r\n", 400 },
        { "GET /plaintext HTTP/1.1\nHost: x\n\n", 400 },
        { "GET /" + new string('a', 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414 },
        { "GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('b', 33 * 1024) + "\r\n\r\n", 431 },
        { "GET /plaintext HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 101).Select(i => $"X-H{i}: v\r\n")) + "\r\n", 431 },
        { "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 40000000\r\n\r\n", 413 },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task A_bad_request_gets_its_status_and_the_connection_is_closed(string request, int status)
    {
        await using var server = HttpTestApp.Start(MapBasics);
        string response = await server.SendAndReadToCloseAsync(request);
        Assert.Equal(status, HttpTestApp.StatusOf(response));
        Assert.Contains("Connection: close", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_gets_413_and_a_close()
    {
        await using var server = HttpTestApp.Start(MapBasics, b => b.Limits.MaxRequestBodySize = 1000);
        string chunk = new('c', 600);
        string response = await server.SendAndReadToCloseAsync($"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n{chunk}\r\n258\r\n{chunk}\r\n0\r\n\r\n");
        Assert.Equal(413, HttpTestApp.StatusOf(response));
    }

    [Fact]
    public async Task Ten_pipelined_requests_in_one_write_are_answered_in_order()
    {
        await using var server = HttpTestApp.Start(MapBasics);
        var requests = string.Concat(Enumerable.Range(0, 10).Select(i => $"GET /users/{i} HTTP/1.1\r\nHost: x\r\n\r\n"));
        string response = await server.SendAndReadToCloseAsync(requests + "GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        int at = 0;
        for (int i = 0; i < 10; i++)
        {
            int found = response.IndexOf($"user {i}", at, StringComparison.Ordinal);
            Assert.True(found > at, $"response {i} missing or out of order");
            at = found;
        }
        Assert.EndsWith("Hello, World!", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_async_handler_resumes_on_its_own_connections_loop()
    {
        await using var server = HttpTestApp.Start(MapBasics);
        for (int i = 0; i < 10; i++)
        {
            string response = await server.SendAndReadToCloseAsync("GET /threads HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            var names = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..].Split('|');
            Assert.StartsWith("netloop-epoll-", names[0], StringComparison.Ordinal);
            Assert.All(names, n => Assert.Equal(names[0], n));
        }
    }

    [Theory]
    [InlineData("/throw")]
    [InlineData("/throw-async")]
    public async Task A_throwing_handler_yields_500_and_the_server_keeps_serving(string path)
    {
        await using var server = HttpTestApp.Start(MapBasics);
        string response = await server.SendAndReadToCloseAsync($"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(500, HttpTestApp.StatusOf(response));
        Assert.Contains(server.Logs.Errors, e => e.Exception is InvalidOperationException);
        string next = await server.SendAndReadToCloseAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.EndsWith("Hello, World!", next, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_paths_get_404_and_wrong_methods_405_with_Allow()
    {
        await using var server = HttpTestApp.Start(MapBasics);
        string notFound = await server.SendAndReadToCloseAsync("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.Equal(404, HttpTestApp.StatusOf(notFound));
        string wrong = await server.SendAndReadToCloseAsync("DELETE /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.Equal(405, HttpTestApp.StatusOf(wrong));
        Assert.Contains("Allow: GET, HEAD", wrong, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HEAD_gets_the_GET_headers_and_no_body()
    {
        await using var server = HttpTestApp.Start(MapBasics);
        string response = await server.SendAndReadToCloseAsync("HEAD /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, HttpTestApp.StatusOf(response));
        Assert.Contains("Content-Length: 13", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HTTP_1_0_closes_unless_keep_alive_is_asked()
    {
        await using var server = HttpTestApp.Start(MapBasics);
        string closing = await server.SendAndReadToCloseAsync("GET /plaintext HTTP/1.0\r\n\r\n");
        Assert.Contains("Connection: close", closing, StringComparison.Ordinal);
        string both = await server.SendAndReadToCloseAsync("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /users/7 HTTP/1.0\r\n\r\n");
        Assert.Contains("Connection: keep-alive", both, StringComparison.Ordinal);
        Assert.EndsWith("user 7", both, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unread_body_is_drained_so_the_next_pipelined_request_parses()
    {
        await using var server = HttpTestApp.Start(MapBasics);
        string body = new('q', 5000);
        string response = await server.SendAndReadToCloseAsync(
            $"POST /ignore-body HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n{body}GET /users/9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.Contains("ignored", response, StringComparison.Ordinal);
        Assert.EndsWith("user 9", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_request_body_is_decoded_and_a_streamed_response_is_chunked()
    {
        await using var server = HttpTestApp.Start(MapBasics);
        string echoed = await server.SendAndReadToCloseAsync("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
        Assert.EndsWith("hello world", echoed, StringComparison.Ordinal);
        string streamed = await server.SendAndReadToCloseAsync("GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.Contains("Transfer-Encoding: chunked", streamed, StringComparison.Ordinal);
        Assert.Contains("7\r\npart 0;\r\n", streamed, StringComparison.Ordinal);
        Assert.EndsWith("0\r\n\r\n", streamed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expect_100_continue_is_answered_when_the_handler_reads_the_body()
    {
        await using var server = HttpTestApp.Start(MapBasics);
        using var socket = await Clients.ConnectAsync(server.EndPoint);
        await socket.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"u8.ToArray());
        var interim = new byte[25];
        await Clients.ReadExactlyAsync(socket, interim).WaitAsync(Clients.Patience);
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", Encoding.ASCII.GetString(interim));
        await socket.SendAsync("hello"u8.ToArray());
        string response = await HttpTestApp.ReadToCloseAsync(socket);
        Assert.EndsWith("hello", response, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ServerMode.Epoll, 1_000_000)]
    [InlineData(ServerMode.Epoll, 3_000_000)]
    [InlineData(ServerMode.Poll, 3_000_000)]
    [InlineData(ServerMode.Sockets, 1_000_000)]
    public async Task A_large_body_copied_to_the_response_comes_back_exact(ServerMode mode, int size)
    {
        // Stream.CopyToAsync awaits with ConfigureAwait(false): its continuations must still run on the connection's loop.
        await using var server = HttpTestApp.Start(MapBasics, mode: mode);
        var body = Clients.RandomBytes(size, size);
        using var socket = await Clients.ConnectAsync(server.EndPoint);
        var head = Encoding.ASCII.GetBytes($"POST /copy HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n");
        var sending = socket.SendAsync(head.Concat(body).ToArray());
        var response = Encoding.Latin1.GetBytes(await HttpTestApp.ReadToCloseAsync(socket));
        await sending;
        int headEnd = response.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        Assert.Contains("Transfer-Encoding: chunked", Encoding.ASCII.GetString(response, 0, headEnd), StringComparison.Ordinal);
        var decoded = new List<byte>(size);
        int at = headEnd;
        while (true)
        {
            int lineEnd = response.AsSpan(at).IndexOf("\r\n"u8) + at;
            int length = int.Parse(Encoding.ASCII.GetString(response, at, lineEnd - at), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            if (length == 0) break;
            decoded.AddRange(response.AsSpan(lineEnd + 2, length).ToArray());
            at = lineEnd + 2 + length + 2;
        }
        Assert.Equal(body, decoded.ToArray());
    }

    [Theory]
    [InlineData(ServerMode.Serial)]
    [InlineData(ServerMode.Threads)]
    [InlineData(ServerMode.Sockets)]
    [InlineData(ServerMode.Poll)]
    public async Task Every_mode_serves_pipelined_and_async_requests(ServerMode mode)
    {
        await using var server = HttpTestApp.Start(MapBasics, mode: mode);
        string body = new('p', 3000);
        string response = await server.SendAndReadToCloseAsync(
            $"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n{body}GET /users/5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.Contains(body, response, StringComparison.Ordinal);
        Assert.EndsWith("user 5", response, StringComparison.Ordinal);
    }
}
