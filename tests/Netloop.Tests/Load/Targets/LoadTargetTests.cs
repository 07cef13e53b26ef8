using System.Net;
using Netloop.Load.Targets;

namespace Netloop.Tests.Load.Targets;

public sealed class LoadTargetTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/plaintext", "127.0.0.1", 8080, "127.0.0.1:8080", "/plaintext")]
    [InlineData("http://127.0.0.1:8080", "127.0.0.1", 8080, "127.0.0.1:8080", "/")]
    [InlineData("http://127.0.0.1:8080?x=1", "127.0.0.1", 8080, "127.0.0.1:8080", "/?x=1")]
    [InlineData("http://127.0.0.1/search?q=a%20b&n=2", "127.0.0.1", 80, "127.0.0.1", "/search?q=a%20b&n=2")]
    [InlineData("http://127.0.0.1:9000/a/b#fragment", "127.0.0.1", 9000, "127.0.0.1:9000", "/a/b")]
    [InlineData("HTTP://localhost:8080/x", "127.0.0.1", 8080, "localhost:8080", "/x")]
    [InlineData("http://[::1]:8080/json", "::1", 8080, "[::1]:8080", "/json")]
    [InlineData("http://[::1]/", "::1", 80, "[::1]", "/")]
    public void Http_targets_parse_into_endpoint_authority_and_path(string text, string address, int port, string authority, string path)
    {
        var target = LoadTarget.Parse(text);

        Assert.Equal(TargetProtocol.Http, target.Protocol);
        Assert.Equal("http", target.ProtocolName);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), target.EndPoint);
        Assert.Equal(authority, target.Authority);
        Assert.Equal(path, target.PathAndQuery);
        Assert.Equal(text, target.Text);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:7000", "127.0.0.1", 7000)]
    [InlineData("tcp://127.0.0.1:7000/", "127.0.0.1", 7000)]
    [InlineData("tcp://[::1]:7000", "::1", 7000)]
    [InlineData("tcp://localhost:7", "127.0.0.1", 7)]
    public void Tcp_targets_are_echo(string text, string address, int port)
    {
        var target = LoadTarget.Parse(text);

        Assert.Equal(TargetProtocol.Echo, target.Protocol);
        Assert.Equal("echo", target.ProtocolName);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), target.EndPoint);
    }

    [Theory]
    [InlineData("https://127.0.0.1:8443/plaintext", TargetProtocol.Http, "https", "127.0.0.1", 8443, "127.0.0.1:8443", "/plaintext")]
    [InlineData("https://localhost/", TargetProtocol.Http, "https", "localhost", 443, "localhost", "/")]
    [InlineData("https://[::1]:8443/json", TargetProtocol.Http, "https", "::1", 8443, "[::1]:8443", "/json")]
    [InlineData("h2s://127.0.0.1:8443", TargetProtocol.Http2, "h2s", "127.0.0.1", 8443, "127.0.0.1:8443", "/")]
    public void Tls_targets_parse_with_the_host_for_sni_and_verification(string text, TargetProtocol protocol, string name, string host, int port, string authority, string path)
    {
        var target = LoadTarget.Parse(text);

        Assert.True(target.IsTls);
        Assert.Equal(protocol, target.Protocol);
        Assert.Equal(name, target.ProtocolName);
        Assert.Equal(host, target.Host);
        Assert.Equal(port, target.EndPoint.Port);
        Assert.Equal(authority, target.Authority);
        Assert.Equal(path, target.PathAndQuery);
        Assert.False(LoadTarget.Parse("http://127.0.0.1:8080/").IsTls);
    }

    [Theory]
    [InlineData("h2s://127.0.0.1:8443/plaintext", "has no path")]
    [InlineData("ftp://127.0.0.1/", "scheme 'ftp' is not supported")]
    [InlineData("127.0.0.1:8080", "no scheme")]
    [InlineData("tcp://127.0.0.1", "needs a port")]
    [InlineData("tcp://127.0.0.1:7000/path", "has no path")]
    [InlineData("http://127.0.0.1:0/", "port '0'")]
    [InlineData("http://127.0.0.1:70000/", "port '70000'")]
    [InlineData("http://127.0.0.1:http/", "port 'http'")]
    [InlineData("http://example.com/", "not an IP address or localhost")]
    [InlineData("http://1/", "not an IP address or localhost")]
    [InlineData("http://::1:8080/", "goes in brackets")]
    [InlineData("http://[::1:8080/", "closing ']'")]
    [InlineData("http://[127.0.0.1]:80/", "only IPv6")]
    [InlineData("http://user@127.0.0.1/", "user information")]
    [InlineData("http://:8080/", "no host")]
    [InlineData("http://127.0.0.1/a b", "percent-encoded")]
    public void Unusable_targets_fail_with_a_reason(string text, string reason)
    {
        Assert.False(LoadTarget.TryParse(text, out var target, out string? error));
        Assert.Null(target);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
        Assert.Equal(error, Assert.Throws<FormatException>(() => LoadTarget.Parse(text)).Message);
    }
}
