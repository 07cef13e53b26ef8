using System.Text;
using System.Text.RegularExpressions;
using Netloop.Tests.Integration.Http2;
using Netloop.Tests.Samples;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Tls;

/// <summary>
/// curl and nghttp over HTTPS against the built <c>netloop serve --protocol http</c> (TLS only, the test CA passed with
/// <c>--cacert</c>, so the certificate is verified), and against samples/TodoApi started with <c>--tls-cert</c>.
/// <c>/connection</c> answers with what the connection negotiated, as the handler sees it.
/// </summary>
public sealed partial class HttpsRealClientTests(HttpsDemoServer demo, ITestOutputHelper output) : IClassFixture<HttpsDemoServer>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("--http1.1", "1.1", "HTTP/1.1")]
    [InlineData("--http2", "2", "HTTP/2")]
    public async Task Curl_verifies_the_certificate_and_gets_plaintext_and_the_connection_over_https(string version, string written, string protocol)
    {
        var server = demo.Server;

        var plaintext = await CurlAsync(version, [.. server.CurlResolve(), server.LocalhostUrl("/plaintext")]);
        var connection = await CurlAsync(version, [.. server.CurlResolve(), server.LocalhostUrl("/connection")]);

        Assert.Equal($"200 {written}", plaintext.Written);
        Assert.Equal("Hello, World!", plaintext.Body);
        Assert.Equal($"scheme=https protocol={protocol} tls=TLSv1.3 sni=localhost client=none\n", connection.Body);
        Assert.Contains("SSL certificate verify ok", connection.Tool.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_by_ip_address_sends_no_sni_and_gets_the_default_certificate()
    {
        var server = demo.Server;

        var run = await CurlAsync("--http2", [server.Url("/connection")]);

        Assert.Equal("scheme=https protocol=HTTP/2 tls=TLSv1.3 sni=none client=none\n", run.Body);
        Assert.Contains("subject: CN=localhost", run.Tool.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.test")]
    [InlineData("b.test")]
    public async Task Curl_to_an_sni_name_verifies_that_names_certificate(string host)
    {
        var server = demo.Server;

        var run = await CurlAsync("--http2", [.. server.CurlResolve(host), $"https://{host}:{server.Port}/connection"]);

        Assert.Equal($"scheme=https protocol=HTTP/2 tls=TLSv1.3 sni={host} client=none\n", run.Body);
        Assert.Contains($"subject: CN={host}", run.Tool.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_tls_1_2_only_is_served_over_http2_with_tls_1_2()
    {
        var server = demo.Server;

        var run = await CurlAsync("--http2", ["--tls-max", "1.2", .. server.CurlResolve(), server.LocalhostUrl("/connection")]);

        Assert.Equal("scheme=https protocol=HTTP/2 tls=TLSv1.2 sni=localhost client=none\n", run.Body);
    }

    [Fact]
    public async Task Plain_http_to_the_tls_port_gets_400_with_a_one_line_body_then_close()
    {
        var server = demo.Server;

        var run = await Http2Tools.RunAsync(output, "curl", ["-sv", "--max-time", "20", "-w", "%{http_code}", $"http://{server.Address}/plaintext"], s_wait);

        Assert.True(run.ExitCode == 0, run.Describe());
        string[] lines = run.StdOutText.Split('\n');
        Assert.Equal(["400 Bad Request: a plain HTTP request was sent to the HTTPS port", "400"], lines);
        Assert.Contains("< Connection: close", run.StdErr, StringComparison.Ordinal);
        Assert.Contains("Closing connection", run.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nghttp_speaks_http2_over_tls_chosen_by_alpn()
    {
        var server = demo.Server;

        var run = await Http2Tools.RunAsync(output, "nghttp", ["-nv", "-t", "30", server.Url("/plaintext")], s_wait);

        Assert.True(run.ExitCode == 0, run.Describe());
        string log = run.StdOutText;
        Assert.Contains("The negotiated protocol: h2", log, StringComparison.Ordinal);
        Assert.Matches(@"recv SETTINGS frame <length=\d+, flags=0x00, stream_id=0>", log);
        var status = NghttpStatus().Match(log);
        Assert.True(status.Success && status.Groups["status"].Value == "200", run.Describe());
        string stream = status.Groups["stream"].Value;
        Assert.Matches($@"recv (HEADERS|DATA) frame <length=\d+, flags=0x[0-9a-f]+, stream_id={stream}>\s*\n\s*; END_STREAM", log);
        Assert.DoesNotContain("recv RST_STREAM", log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--http1.1", "HTTP/1.1")]
    [InlineData("--http2", "HTTP/2")]
    public async Task The_todo_api_serves_https_when_given_a_certificate(string version, string protocol)
    {
        var certificate = demo.Certificates.LocalhostEcdsa;
        await using var app = Sample.Start(output, "TodoApi", "--port", "0", "--tls-cert", certificate.Certificate, "--tls-key", certificate.Key);
        string url = (await app.WaitForLineAsync(HttpsListening(), s_wait)).Groups["url"].Value;

        var empty = await CurlAsync(version, [url + "/api/todos"]);
        var created = await CurlAsync(version, ["-X", "POST", "-H", "Content-Type: application/json", "-d", "{\"title\":\"milk\"}", url + "/api/todos"]);
        var listed = await CurlAsync(version, [url + "/api/todos"]);
        var page = await CurlAsync(version, ["-v", url + "/index.html"]);

        Assert.Equal("[]", empty.Body);
        Assert.StartsWith("201 ", created.Written, StringComparison.Ordinal);
        Assert.Equal("[{\"id\":1,\"title\":\"milk\",\"done\":false}]", listed.Body);
        Assert.Contains("<h1>TodoApi</h1>", page.Body, StringComparison.Ordinal);
        Assert.Contains("SSL certificate verify ok", page.Tool.StdErr, StringComparison.Ordinal);
        Assert.Equal(protocol == "HTTP/2" ? "200 2" : "200 1.1", page.Written);
        app.Signal(CliProcess.SIGTERM);
        Assert.True(await app.WaitForExitAsync(s_wait), app.Transcript());
        Assert.Equal(0, app.ExitCode);
    }

    private async Task<CurlRun> CurlAsync(string version, string[] args)
    {
        string bodyFile = Path.Combine(demo.Certificates.NewScratchDirectory(), "body");
        var run = await Http2Tools.RunAsync(output, "curl",
            ["-sv", version, "--cacert", demo.Certificates.CaCertificate, "--max-time", "30", "-o", bodyFile, "-w", "%{http_code} %{http_version}", .. args], s_wait);
        Assert.True(run.ExitCode == 0, run.Describe());
        byte[] body = File.Exists(bodyFile) ? await File.ReadAllBytesAsync(bodyFile) : [];
        return new CurlRun(run, Encoding.UTF8.GetString(body));
    }

    private sealed record CurlRun(Http2ToolRun Tool, string Body)
    {
        /// <summary>What <c>-w '%{http_code} %{http_version}'</c> printed, e.g. "200 2".</summary>
        public string Written => Tool.StdOutText.Trim();
    }

    [GeneratedRegex(@"recv \(stream_id=(?<stream>\d+)\) :status: (?<status>\d+)")]
    private static partial Regex NghttpStatus();

    [GeneratedRegex(@"listening on (?<url>https://\S+)")]
    private static partial Regex HttpsListening();
}
