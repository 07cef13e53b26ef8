using System.Text;
using System.Text.RegularExpressions;
using Netloop.Tests.Integration.Http;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Http2;

/// <summary>
/// curl and nghttp speaking HTTP/2 to the built <c>netloop serve --protocol http</c>, by prior knowledge and by
/// <c>Upgrade: h2c</c>, on every demo route. The client's own report (<c>%{http_version}</c>, <c>curl -v</c>, nghttp's
/// frame log) shows which protocol was used; nothing asserts on speed.
/// </summary>
public sealed partial class Http2RealClientTests(RealClientTests.DemoServers servers, ITestOutputHelper output) : IClassFixture<RealClientTests.DemoServers>
{
    public enum Entry
    {
        PriorKnowledge,
        Upgrade,
    }

    public static TheoryData<Entry, string, int, string> GetRoutes()
    {
        var data = new TheoryData<Entry, string, int, string>();
        foreach (var entry in new[] { Entry.PriorKnowledge, Entry.Upgrade })
        {
            data.Add(entry, "/plaintext", 200, "Hello, World!");
            data.Add(entry, "/json", 200, "{\"message\":\"Hello, World!\"}");
            data.Add(entry, "/health", 200, "ok");
            data.Add(entry, "/nope", 404, "");
            data.Add(entry, "/static/missing.bin", 404, "");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(GetRoutes))]
    public async Task Curl_gets_each_demo_route_over_http2(Entry entry, string path, int status, string body)
    {
        var server = await servers.GetAsync("epoll");

        var run = await CurlAsync(entry, server.Url(path));

        Assert.Equal($"{status} 2", run.Written);
        Assert.True(status != 200 || run.Body == body, run.Describe());
        Assert.Contains($"< HTTP/2 {status}", run.Tool.StdErr, StringComparison.Ordinal);
        AssertEntry(entry, run);
    }

    [Theory]
    [InlineData(Entry.PriorKnowledge)]
    [InlineData(Entry.Upgrade)]
    public async Task Curl_gets_a_static_file_and_a_range_of_it_over_http2(Entry entry)
    {
        var server = await servers.GetAsync("epoll");
        string url = server.Url("/static/" + RealClientTests.DemoServers.StaticFileName);

        var whole = await CurlAsync(entry, url);
        var range = await CurlAsync(entry, url, "--range", "100-199");

        Assert.Equal("200 2", whole.Written);
        Assert.Equal(servers.StaticFile, whole.BodyBytes);
        Assert.Equal("206 2", range.Written);
        Assert.Contains($"< content-range: bytes 100-199/{servers.StaticFile.Length}", range.Tool.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(servers.StaticFile.AsSpan(100, 100).ToArray(), range.BodyBytes);
    }

    [Fact]
    public async Task Curl_head_over_http2_gets_the_length_and_no_body()
    {
        var server = await servers.GetAsync("epoll");

        var run = await CurlAsync(Entry.PriorKnowledge, server.Url("/plaintext"), "-I");

        Assert.Equal("200 2", run.Written);
        Assert.Contains("< content-length: 13", run.Tool.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Hello", run.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    public async Task Curl_echo_by_prior_knowledge_comes_back_byte_for_byte_over_http2(string method)
    {
        var server = await servers.GetAsync("epoll");
        // 300 KB: more than the 65,535-byte window a stream starts with, so the server must reopen it as it reads.
        byte[] payload = Clients.RandomBytes(300 * 1024, seed: 21);
        string file = servers.WriteTempFile($"h2-echo-{method}.bin", payload);

        var run = await CurlAsync(Entry.PriorKnowledge, server.Url("/echo"), "-X", method, "-H", "Content-Type: application/octet-stream", "--data-binary", "@" + file);

        Assert.Equal("200 2", run.Written);
        Assert.Contains("< content-type: application/octet-stream", run.Tool.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.True(payload.AsSpan().SequenceEqual(run.BodyBytes), $"echo differs: sent {payload.Length} bytes, got {run.BodyBytes.Length}");
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    public async Task Curl_upgrade_with_a_body_is_answered_over_http1_as_rfc9113_section_3_2_allows(string method)
    {
        var server = await servers.GetAsync("epoll");

        var run = await CurlAsync(Entry.Upgrade, server.Url("/echo"), "-X", method, "-H", "Content-Type: text/plain", "--data-binary", "hello h2c");

        // curl offers the upgrade on a request with a body; the server keeps that request on HTTP/1.1.
        Assert.Contains("> Upgrade: h2c", run.Tool.StdErr, StringComparison.Ordinal);
        Assert.Equal("200 1.1", run.Written);
        Assert.Equal("hello h2c", run.Body);
        Assert.DoesNotContain("101 Switching Protocols", run.Tool.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_upgrades_once_then_multiplexes_the_other_urls_on_the_same_http2_connection()
    {
        var server = await servers.GetAsync("epoll");

        // --http2, not --http2-prior-knowledge: curl 7.88.1 (Debian 12) fails (exit 16) to reuse a prior-knowledge
        // connection for a second URL against any server, nginx included; after an Upgrade it reuses it.
        var run = await Http2Tools.RunAsync(output, "curl", ["-sv", "--http2", "--max-time", "30", "-Z", "--parallel-max", "10",
            server.Url("/plaintext"), server.Url("/json"), server.Url("/health"), server.Url("/plaintext")]);

        Assert.True(run.ExitCode == 0, run.Describe());
        // Not anchored: with -Z curl's progress meter may share the line.
        Assert.Single(Regex.Matches(run.StdErr, @"\* Connected to "));
        Assert.Single(Regex.Matches(run.StdErr, "^< HTTP/1.1 101 Switching Protocols", RegexOptions.Multiline));
        Assert.Equal(4, Regex.Count(run.StdErr, @"^< HTTP/2 200", RegexOptions.Multiline));
        string text = run.StdOutText;
        // Responses of parallel transfers come in any order: count them instead.
        Assert.Equal(3, Regex.Count(text, "Hello, World!"));
        Assert.Single(Regex.Matches(text, "\\{\"message\":\"Hello, World!\"\\}"));
        Assert.Equal("Hello, World!".Length * 2 + "{\"message\":\"Hello, World!\"}".Length + "ok".Length, text.Length);
    }

    public static TheoryData<string, string?, int> NghttpRoutes() => new()
    {
        { "/plaintext", null, 200 },
        { "/json", null, 200 },
        { "/health", null, 200 },
        { "/static/" + RealClientTests.DemoServers.StaticFileName, null, 200 },
        { "/nope", null, 404 },
        { "/echo", "POST", 200 },
    };

    [Theory]
    [MemberData(nameof(NghttpRoutes))]
    public async Task Nghttp_sees_the_settings_exchange_the_status_and_end_stream(string path, string? method, int status)
    {
        var server = await servers.GetAsync("epoll");
        string[] data = method == "POST" ? ["-d", servers.WriteTempFile("nghttp-post.bin", Clients.RandomBytes(100 * 1024, seed: 22))] : [];

        var run = await Http2Tools.RunAsync(output, "nghttp", ["-nv", "-t", "30", .. data, server.Url(path)]);

        Assert.True(run.ExitCode == 0, run.Describe());
        string log = run.StdOutText;
        // RFC 9113 §3.4: the server's preface is a SETTINGS frame, and it acknowledges the client's (nghttp may quit before its own ACK leaves).
        Assert.Matches(@"recv SETTINGS frame <length=\d+, flags=0x00, stream_id=0>", log);
        Assert.Matches(@"recv SETTINGS frame <length=0, flags=0x01, stream_id=0>\s*\n\s*; ACK", log);
        var statusLine = NghttpStatus().Match(log);
        Assert.True(statusLine.Success, run.Describe());
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), statusLine.Groups["status"].Value);
        string stream = statusLine.Groups["stream"].Value;
        Assert.Matches($@"recv (HEADERS|DATA) frame <length=\d+, flags=0x[0-9a-f]+, stream_id={stream}>\s*\n\s*; END_STREAM", log);
        Assert.DoesNotContain("recv RST_STREAM", log, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"recv GOAWAY frame <[^>]*>\s*\n\s*\(last_stream_id=\d+, error_code=(?!NO_ERROR)", log);
    }

    [Fact]
    public async Task Nghttp_upgrade_gets_101_and_the_response_on_stream_1()
    {
        var server = await servers.GetAsync("epoll");

        var run = await Http2Tools.RunAsync(output, "nghttp", ["-nvu", "-t", "30", server.Url("/plaintext")]);

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("HTTP Upgrade success", run.StdOutText, StringComparison.Ordinal);
        Assert.Contains("recv (stream_id=1) :status: 200", run.StdOutText, StringComparison.Ordinal);
        Assert.Matches(@"recv (HEADERS|DATA) frame <length=\d+, flags=0x[0-9a-f]+, stream_id=1>\s*\n\s*; END_STREAM", run.StdOutText);
    }

    private static void AssertEntry(Entry entry, CurlRun run)
    {
        if (entry == Entry.Upgrade)
        {
            Assert.Contains("> Upgrade: h2c", run.Tool.StdErr, StringComparison.Ordinal);
            Assert.Contains("< HTTP/1.1 101 Switching Protocols", run.Tool.StdErr, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("Upgrade: h2c", run.Tool.StdErr, StringComparison.Ordinal);
        }
    }

    private async Task<CurlRun> CurlAsync(Entry entry, string url, params string[] args)
    {
        string bodyFile = Path.Combine(servers.WorkDirectory, "h2-body-" + Guid.NewGuid().ToString("N"));
        string mode = entry == Entry.PriorKnowledge ? "--http2-prior-knowledge" : "--http2";
        var run = await Http2Tools.RunAsync(output, "curl", ["-sv", mode, "--max-time", "30", "-o", bodyFile, "-w", "%{http_code} %{http_version}", .. args, url]);
        Assert.True(run.ExitCode == 0, run.Describe());
        byte[] body = File.Exists(bodyFile) ? await File.ReadAllBytesAsync(bodyFile) : [];
        File.Delete(bodyFile);
        return new CurlRun(run, body);
    }

    private sealed record CurlRun(Http2ToolRun Tool, byte[] BodyBytes)
    {
        /// <summary>What <c>-w '%{http_code} %{http_version}'</c> printed, e.g. "200 2".</summary>
        public string Written => Tool.StdOutText.Trim();

        public string Body => Encoding.UTF8.GetString(BodyBytes);

        public string Describe() => Tool.Describe();
    }

    [GeneratedRegex(@"recv \(stream_id=(?<stream>\d+)\) :status: (?<status>\d+)")]
    private static partial Regex NghttpStatus();
}
