using System.Text;
using Netloop.Http;
using Netloop.Protocols;
using Netloop.Protocols.Http1;
using Netloop.Tests.Support;

namespace Netloop.Tests.Protocols;

/// <summary>Response trailers, in memory: a last HEADERS frame over HTTP/2, the trailer section after the last chunk over HTTP/1.1.</summary>
public class ResponseTrailerTests
{
    private HttpResponse? _captured;

    private HttpProtocolFactory Factory() => new(Handle);

    /// <summary>
    /// /buffered: a small body then trailers; /streamed: the head out first, then body and trailers; /empty: trailers
    /// only; /probe: reports SupportsTrailers and what AppendTrailer throws for the name in ?name=.
    /// </summary>
    private async ValueTask Handle(HttpContext context)
    {
        var response = context.Response;
        _captured = response;
        switch (context.Request.Path)
        {
            case "/buffered":
                response.WriteText("hello");
                response.AppendTrailer("grpc-status", "0");
                response.AppendTrailer("Grpc-Message", "all good");
                break;
            case "/streamed":
                await response.StartAsync();
                response.WriteText("part one;");
                await Task.Yield();
                response.WriteText("part two");
                response.AppendTrailer("x-checksum", "abc123");
                break;
            case "/empty":
                response.AppendTrailer("grpc-status", "5");
                break;
            case "/status":
                response.StatusCode = int.Parse(context.Request.Query["code"]!, System.Globalization.CultureInfo.InvariantCulture);
                response.WriteText(response.SupportsTrailers ? "supported" : "unsupported");
                break;
            case "/probe":
                string outcome;
                try
                {
                    response.AppendTrailer(context.Request.Query["name"] ?? "x-ok", "1");
                    outcome = "appended";
                }
                catch (Exception e)
                {
                    outcome = e.GetType().Name;
                }
                response.WriteText($"{response.SupportsTrailers} {outcome}");
                break;
        }
    }

    // ---- HTTP/1.1 ----

    private string Http1(string request)
    {
        var connection = new InMemoryConnection(Factory().Create());
        connection.Receive(Encoding.Latin1.GetBytes(request));
        for (int i = 0; i < 10 && connection.RunPosted() > 0; i++)
        {
        }
        return Encoding.Latin1.GetString(connection.TakeOutput());
    }

    private static string Get(string path, string extra = "TE: trailers\r\n", string method = "GET", string version = "HTTP/1.1") =>
        $"{method} {path} {version}\r\nHost: x\r\n{extra}\r\n";

    [Fact]
    public void Http1_buffered_response_with_trailers_is_sent_chunked_with_a_trailer_section()
    {
        string response = Http1(Get("/buffered"));
        Assert.StartsWith("HTTP/1.1 200", response);
        Assert.Equal("chunked", AppHarness.Header(response, "Transfer-Encoding"));
        Assert.Null(AppHarness.Header(response, "Content-Length"));
        Assert.EndsWith("\r\n\r\n5\r\nhello\r\n0\r\ngrpc-status: 0\r\nGrpc-Message: all good\r\n\r\n", response);
    }

    [Fact]
    public void Http1_streamed_response_ends_with_its_trailers_after_the_last_chunk()
    {
        string response = Http1(Get("/streamed"));
        Assert.Equal("chunked", AppHarness.Header(response, "Transfer-Encoding"));
        Assert.EndsWith("0\r\nx-checksum: abc123\r\n\r\n", response);
        Assert.Contains("part one;", response);
        Assert.Contains("part two", response);
    }

    [Fact]
    public void Http1_te_may_list_trailers_among_other_codings()
    {
        string response = Http1(Get("/empty", "TE: gzip;q=0.5, Trailers\r\n"));
        Assert.EndsWith("\r\n\r\n0\r\ngrpc-status: 5\r\n\r\n", response);
    }

    [Theory]
    [InlineData("GET", "HTTP/1.1", "")] // no TE: trailers
    [InlineData("GET", "HTTP/1.1", "TE: gzip\r\n")]
    [InlineData("HEAD", "HTTP/1.1", "TE: trailers\r\n")]
    [InlineData("GET", "HTTP/1.0", "TE: trailers\r\n")]
    public void Http1_without_a_client_that_takes_trailers_AppendTrailer_throws(string method, string version, string te)
    {
        string response = Http1(Get("/probe", te, method, version));
        Assert.Contains(" 200 ", response.Split("\r\n")[0]);
        Assert.Null(AppHarness.Header(response, "Transfer-Encoding"));
        Assert.Equal(method == "HEAD" ? "" : "False InvalidOperationException", AppHarness.Body(response));
        Assert.DoesNotContain("x-ok", response);
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public void Http1_a_status_without_a_body_has_no_trailers(int status)
    {
        string response = Http1(Get($"/status?code={status}"));
        Assert.StartsWith($"HTTP/1.1 {status}", response);
        Assert.Null(AppHarness.Header(response, "Transfer-Encoding"));
    }

    [Fact]
    public void Http1_a_trailer_after_the_response_is_complete_throws()
    {
        Http1(Get("/buffered"));
        Assert.Throws<InvalidOperationException>(() => _captured!.AppendTrailer("x-late", "1"));
    }

    [Theory]
    [InlineData("content-length")]
    [InlineData("Transfer-Encoding")]
    [InlineData("host")]
    [InlineData("Authorization")]
    [InlineData("te")]
    [InlineData("trailer")]
    [InlineData("content-type")]
    [InlineData("set-cookie")]
    [InlineData("bad name")]
    [InlineData("x:y")]
    public void Forbidden_or_malformed_trailer_names_are_refused_over_both_protocols(string name)
    {
        string http1 = Http1(Get("/probe?name=" + Uri.EscapeDataString(name)));
        Assert.Equal("True ArgumentException", AppHarness.Body(http1));

        var client = new Http2TestClient(Factory().Create());
        int id = client.Request("GET", "/probe?name=" + Uri.EscapeDataString(name), endStream: true);
        client.Pump();
        Assert.Equal("True ArgumentException", client.Responses[id].Text);
        Assert.Null(client.Responses[id].Trailers);
    }

    // ---- HTTP/2 ----

    private static Http2TestResponse Http2(Http2TestClient client, string path, string method = "GET")
    {
        int id = client.Request(method, path, endStream: true);
        client.Pump();
        var response = client.Responses[id];
        Assert.True(response.Ended);
        Assert.Null(response.Reset);
        return response;
    }

    [Fact]
    public void Http2_trailers_follow_the_body_as_a_last_headers_frame()
    {
        var client = new Http2TestClient(Factory().Create());
        var response = Http2(client, "/buffered");
        Assert.Equal(200, response.Status);
        Assert.Equal("hello", response.Text);
        Assert.Equal([("grpc-status", "0"), ("grpc-message", "all good")], response.Trailers);
    }

    [Fact]
    public void Http2_streamed_response_and_trailers_only_response_carry_trailers()
    {
        var client = new Http2TestClient(Factory().Create());
        var streamed = Http2(client, "/streamed");
        Assert.Equal("part one;part two", streamed.Text);
        Assert.Equal("abc123", streamed.Trailer("x-checksum"));

        var empty = Http2(client, "/empty");
        Assert.Equal(0, empty.Body.Length);
        Assert.Equal("5", empty.Trailer("grpc-status"));
    }

    [Fact]
    public void Http2_always_supports_trailers_even_without_te()
    {
        var client = new Http2TestClient(Factory().Create());
        var response = Http2(client, "/probe");
        Assert.Equal("True appended", response.Text);
        Assert.Equal("1", response.Trailer("x-ok"));
    }

    [Fact]
    public void Http2_a_trailer_after_the_response_is_complete_throws()
    {
        var client = new Http2TestClient(Factory().Create());
        Http2(client, "/buffered");
        Assert.Throws<InvalidOperationException>(() => _captured!.AppendTrailer("x-late", "1"));
    }
}
