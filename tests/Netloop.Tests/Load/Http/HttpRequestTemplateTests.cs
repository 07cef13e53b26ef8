using System.Text;
using Netloop.Load.Http;
using Netloop.Load.Targets;

namespace Netloop.Tests.Load.Http;

public sealed class HttpRequestTemplateTests
{
    private static string Text(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    [Fact]
    public void A_get_is_encoded_once_in_a_keep_alive_and_a_closing_form()
    {
        var template = new HttpRequestTemplate(LoadTarget.Parse("http://127.0.0.1:8080/plaintext?x=1"), "GET", []);

        Assert.Equal("GET /plaintext?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n", Text(template.KeepAlive));
        Assert.Equal("GET /plaintext?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n", Text(template.Close));
        Assert.False(template.IsHead);
    }

    [Fact]
    public void Extra_headers_follow_host_and_a_host_header_replaces_the_default()
    {
        var template = new HttpRequestTemplate(LoadTarget.Parse("http://[::1]/"), "GET", ["Accept: text/plain", "X-Trace:  abc "]);
        Assert.Equal("GET / HTTP/1.1\r\nHost: [::1]\r\nAccept: text/plain\r\nX-Trace: abc\r\n\r\n", Text(template.KeepAlive));

        var custom = new HttpRequestTemplate(LoadTarget.Parse("http://127.0.0.1:8080/"), "GET", ["Host: example.test"]);
        Assert.Equal("GET / HTTP/1.1\r\nHost: example.test\r\n\r\n", Text(custom.KeepAlive));
    }

    [Fact]
    public void Methods_with_a_body_send_an_empty_one_and_head_is_flagged()
    {
        var post = new HttpRequestTemplate(LoadTarget.Parse("http://127.0.0.1:8080/echo"), "POST", []);
        Assert.Equal("POST /echo HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 0\r\n\r\n", Text(post.KeepAlive));

        var head = new HttpRequestTemplate(LoadTarget.Parse("http://127.0.0.1:8080/"), "HEAD", []);
        Assert.True(head.IsHead);
        Assert.StartsWith("HEAD / HTTP/1.1\r\n", Text(head.KeepAlive), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NoColon")]
    [InlineData(": value")]
    [InlineData("Bad Name: value")]
    [InlineData("X-A: a\r\nX-Injected: b")]
    public void Bad_headers_are_refused_with_a_one_line_reason(string header)
    {
        var e = Assert.Throws<ArgumentException>(() => new HttpRequestTemplate(LoadTarget.Parse("http://127.0.0.1/"), "GET", [header]));
        Assert.StartsWith("--header: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_method_that_is_not_a_token_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new HttpRequestTemplate(LoadTarget.Parse("http://127.0.0.1/"), "GE T", []));
        Assert.StartsWith("--method: ", e.Message, StringComparison.Ordinal);
    }
}
