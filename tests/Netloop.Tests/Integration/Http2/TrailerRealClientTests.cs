using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Http2;

/// <summary>Response trailers as real clients see them: curl and nghttp over h2c, curl's raw chunked body over HTTP/1.1.</summary>
public sealed class TrailerRealClientTests(SameAppTests.Site site, ITestOutputHelper output) : IClassFixture<SameAppTests.Site>
{
    private string Url => new Uri(site.BaseAddress, "/grpcish").ToString();

    /// <remarks>
    /// curl 7.88 (Debian 12's) takes the trailing HEADERS frame but shows it nowhere (curl/curl#5663), so nghttp below is
    /// the client that shows HTTP/2 trailers; here curl only proves the stream ends cleanly on them (exit code 0, not 92).
    /// </remarks>
    [Fact]
    public async Task Curl_over_http2_completes_a_response_that_ends_with_trailers()
    {
        var run = await Http2Tools.RunAsync(output, "curl", ["-sv", "--http2-prior-knowledge", "--max-time", "30", Url]);

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Equal("hello", run.StdOutText);
        Assert.Contains("< HTTP/2 200", run.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nghttp_receives_the_trailers_as_a_last_headers_frame_that_ends_the_stream()
    {
        var run = await Http2Tools.RunAsync(output, "nghttp", ["-nv", Url]);

        Assert.True(run.ExitCode == 0, run.Describe());
        string log = run.StdOutText;
        int trailers = log.IndexOf(") grpc-status: 0", StringComparison.Ordinal);
        Assert.True(trailers >= 0, log);
        // The HEADERS frame that carried them ends the stream; the DATA before it did not.
        int frame = log.IndexOf("recv HEADERS frame <length=", trailers, StringComparison.Ordinal);
        Assert.True(frame > trailers, log);
        int end = log.IndexOf('\n', log.IndexOf('\n', frame) + 1);
        Assert.Contains("END_STREAM", log[frame..end], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_over_http11_with_te_trailers_gets_the_trailer_section_after_the_last_chunk()
    {
        var run = await Http2Tools.RunAsync(output, "curl", ["-s", "--raw", "--http1.1", "-H", "TE: trailers", "-D", "-", "--max-time", "30", Url]);

        Assert.True(run.ExitCode == 0, run.Describe());
        string text = run.StdOutText;
        Assert.Contains("Transfer-Encoding: chunked\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n5\r\nhello\r\n0\r\ngrpc-status: 0\r\ngrpc-message: all good\r\n\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_over_http11_without_te_gets_a_plain_response()
    {
        var run = await Http2Tools.RunAsync(output, "curl", ["-s", "--raw", "--http1.1", "-D", "-", "--max-time", "30", Url]);

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("Content-Length: 5\r\n", run.StdOutText, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nhello", run.StdOutText, StringComparison.Ordinal);
        Assert.DoesNotContain("grpc-status", run.StdOutText, StringComparison.Ordinal);
    }
}
