using Netloop.Http;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Http;

public class HeadersAndCookiesTests
{
    private static string Serve(string request, Action<HttpContext> handler) =>
        AppHarness.Create(app => app.Map("/{*rest}", handler)).Send(request);

    [Fact]
    public void GetValues_returns_every_field_line_and_the_indexer_joins_them()
    {
        string? joined = null;
        string[] values = [];
        string[] once = [];
        int missing = -1;
        Serve("GET / HTTP/1.1\r\nHost: a\r\nX-Tag: one\r\nAccept: */*\r\nx-tag: two, three\r\nX-Once: only\r\n\r\n", c =>
        {
            joined = c.Request.Headers["X-TAG"];
            values = c.Request.Headers.GetValues("x-tag").ToArray()!;
            once = c.Request.Headers.GetValues("X-Once").ToArray()!;
            missing = c.Request.Headers.GetValues("X-None").Count;
            Assert.Null(c.Request.Headers["X-None"]);
            Assert.Equal("only", c.Request.Headers["x-once"]);
            Assert.True(c.Request.Headers.Contains("X-ONCE"));
        });

        Assert.Equal("one, two, three", joined);
        Assert.Equal(["one", "two, three"], values);
        Assert.Equal(["only"], once);
        Assert.Equal(0, missing);
    }

    [Fact]
    public void GetValues_for_a_name_sent_once_allocates_only_the_value()
    {
        long allocated = -1;
        long oneString = -1;
        Serve("GET / HTTP/1.1\r\nHost: a\r\nX-Once: 0123456789\r\n\r\n", c =>
        {
            for (int i = 0; i < 100; i++) _ = c.Request.Headers.GetValues("X-Once"); // warm-up
            long start = GC.GetAllocatedBytesForCurrentThread();
            var values = c.Request.Headers.GetValues("X-Once");
            allocated = GC.GetAllocatedBytesForCurrentThread() - start;
            start = GC.GetAllocatedBytesForCurrentThread();
            _ = System.Text.Encoding.Latin1.GetString("0123456789"u8);
            oneString = GC.GetAllocatedBytesForCurrentThread() - start;
            Assert.Equal("0123456789", values.ToString());
        });

        Assert.True(oneString > 0);
        Assert.Equal(oneString, allocated);
    }

    [Fact]
    public void Request_cookies_are_parsed_leniently_from_every_cookie_field()
    {
        Dictionary<string, string> cookies = [];
        string? absent = "set";
        Serve("GET / HTTP/1.1\r\nHost: a\r\nCookie: a=1; b=\"quoted\";  spaced = x y ;novalue; =noname; dup=first\r\nCookie: dup=second;c=3=3; utf=\u00c3\u00a9;;\r\n\r\n", c =>
        {
            cookies = c.Request.Cookies.ToDictionary(p => p.Key, p => p.Value);
            absent = c.Request.Cookies["missing"];
        });

        Assert.Equal("1", cookies["a"]);
        Assert.Equal("quoted", cookies["b"]);
        Assert.Equal("x y", cookies["spaced"]);
        Assert.Equal("first", cookies["dup"]);
        Assert.Equal("3=3", cookies["c"]);
        Assert.Equal("\u00e9", cookies["utf"]); // UTF-8 bytes on the wire
        Assert.False(cookies.ContainsKey("novalue"));
        Assert.Equal(6, cookies.Count);
        Assert.Null(absent);
    }

    [Fact]
    public void Cookies_do_not_leak_into_the_next_request_of_the_connection()
    {
        var harness = AppHarness.Create(app => app.MapGet("/", c => c.Response.WriteText($"{c.Request.Cookies.Count}:{c.Request.Cookies["a"]}")));
        var connection = harness.Connect();
        connection.Receive("GET / HTTP/1.1\r\nHost: a\r\nCookie: a=1\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"u8);
        string output = System.Text.Encoding.ASCII.GetString(connection.TakeOutput());

        Assert.Contains("\r\n\r\n1:1HTTP/1.1", output, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n0:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Response_cookies_carry_every_attribute_and_delete_expires_the_cookie()
    {
        string response = Serve("GET / HTTP/1.1\r\nHost: a\r\n\r\n", c =>
        {
            c.Response.Cookies.Append("plain", "v");
            c.Response.Cookies.Append("full", "\"x\"", new CookieOptions
            {
                Path = "/app",
                Domain = "example.com",
                Expires = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.FromHours(1)),
                MaxAge = TimeSpan.FromSeconds(90.7),
                Secure = true,
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
            });
            c.Response.Cookies.Append("lax", "", new CookieOptions { Path = null, SameSite = SameSiteMode.Lax });
            c.Response.Cookies.Delete("old");
        });

        Assert.Equal(
            [
                "plain=v; path=/",
                "full=\"x\"; expires=Wed, 02 Jan 2030 02:04:05 GMT; max-age=90; domain=example.com; path=/app; secure; samesite=strict; httponly",
                "lax=; samesite=lax",
                "old=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/",
            ],
            AppHarness.Headers(response, "Set-Cookie"));
    }

    [Theory]
    [InlineData("", "v", "empty")]
    [InlineData("a b", "v", "token")]
    [InlineData("a;b", "v", "token")]
    [InlineData("n\u00e9", "v", "token")]
    [InlineData("n", "a b", "cookie-octet")]
    [InlineData("n", "a;b", "cookie-octet")]
    [InlineData("n", "a,b", "cookie-octet")]
    [InlineData("n", "a\\b", "cookie-octet")]
    [InlineData("n", "\"a\"b\"", "cookie-octet")]
    [InlineData("n", "\u00e9", "cookie-octet")]
    [InlineData("n", "a\r\nSet-Cookie: evil=1", "cookie-octet")]
    public void A_bad_cookie_name_or_value_throws_a_clear_ArgumentException(string name, string value, string reason)
    {
        Exception? caught = null;
        Serve("GET / HTTP/1.1\r\nHost: a\r\n\r\n", c => caught = Record.Exception(() => c.Response.Cookies.Append(name, value)));

        var error = Assert.IsType<ArgumentException>(caught);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_path_or_domain_throws()
    {
        Exception? path = null;
        Exception? domain = null;
        Serve("GET / HTTP/1.1\r\nHost: a\r\n\r\n", c =>
        {
            path = Record.Exception(() => c.Response.Cookies.Append("n", "v", new CookieOptions { Path = "/a;b" }));
            domain = Record.Exception(() => c.Response.Cookies.Append("n", "v", new CookieOptions { Domain = "a\nb" }));
        });

        Assert.Contains("Path", Assert.IsType<ArgumentException>(path).Message, StringComparison.Ordinal);
        Assert.Contains("Domain", Assert.IsType<ArgumentException>(domain).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_of_bytes_defaults_to_octet_stream_and_the_helpers_keep_their_types()
    {
        var harness = AppHarness.Create(app =>
        {
            app.MapGet("/bytes", c => c.Response.Write([1, 2, 3]));
            app.MapGet("/typed", c =>
            {
                c.Response.ContentType = "image/png";
                c.Response.Write([1]);
            });
            app.MapGet("/text", c => c.Response.WriteText("t"));
            app.MapGet("/empty", c => c.Response.Write([]));
        });

        Assert.Equal("application/octet-stream", AppHarness.Header(harness.Send("GET /bytes HTTP/1.1\r\nHost: a\r\n\r\n"), "Content-Type"));
        Assert.Equal("image/png", AppHarness.Header(harness.Send("GET /typed HTTP/1.1\r\nHost: a\r\n\r\n"), "Content-Type"));
        Assert.Equal("text/plain; charset=utf-8", AppHarness.Header(harness.Send("GET /text HTTP/1.1\r\nHost: a\r\n\r\n"), "Content-Type"));
        Assert.Null(AppHarness.Header(harness.Send("GET /empty HTTP/1.1\r\nHost: a\r\n\r\n"), "Content-Type"));
    }
}
