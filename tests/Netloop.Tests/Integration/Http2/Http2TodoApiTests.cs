using System.Text.RegularExpressions;
using Netloop.Tests.Samples;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Http2;

/// <summary>samples/TodoApi, unchanged, driven with curl over HTTP/2 (prior knowledge, and Upgrade for the GETs).</summary>
public sealed partial class Http2TodoApiTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_todo_api_serves_crud_json_cookies_static_files_and_its_error_pages_over_http2()
    {
        await using var app = Sample.Start(output, "TodoApi", "--port", "0");
        string url = (await app.WaitForLineAsync(Listening(), s_wait)).Groups["url"].Value;

        var empty = await CurlAsync(url + "/api/todos");
        Assert.Equal("200", empty.Status);
        Assert.Equal("[]", empty.Body);

        var created = await CurlAsync(url + "/api/todos", "-X", "POST", "-H", "Content-Type: application/json", "-d", "{\"title\":\"milk\"}");
        Assert.Equal("201", created.Status);
        Assert.Equal("/api/todos/1", created.Header("location"));
        Assert.Equal("{\"id\":1,\"title\":\"milk\",\"done\":false}", created.Body);
        Assert.Equal("application/json", created.Header("content-type"));

        var updated = await CurlAsync(url + "/api/todos/1", "-X", "PUT", "-d", "{\"title\":\"oat milk\",\"done\":true}");
        Assert.Equal("{\"id\":1,\"title\":\"oat milk\",\"done\":true}", updated.Body);
        var listed = await CurlAsync(url + "/api/todos/", upgrade: true);
        Assert.Equal("200", listed.Status);
        Assert.Equal("[{\"id\":1,\"title\":\"oat milk\",\"done\":true}]", listed.Body);

        var tooLong = await CurlAsync(url + "/api/todos", "-X", "POST", "-d", $"{{\"title\":\"{new string('x', 101)}\"}}");
        Assert.Equal("400", tooLong.Status);
        Assert.Contains("longer than 100", tooLong.Body, StringComparison.Ordinal);

        Assert.Equal("204", (await CurlAsync(url + "/api/todos/1", "-X", "DELETE")).Status);
        var gone = await CurlAsync(url + "/api/todos/1", "-X", "DELETE");
        Assert.Equal("404", gone.Status);
        Assert.Equal("{\"status\":404,\"title\":\"Not Found\"}", gone.Body);
        var wrongMethod = await CurlAsync(url + "/api/todos/1", "-X", "PATCH");
        Assert.Equal("405", wrongMethod.Status);
        Assert.Equal("GET, HEAD, PUT, DELETE", wrongMethod.Header("allow"));

        var visit = await CurlAsync(url + "/api/visits", "-b", "visits=41");
        Assert.Equal("{\"count\":42}", visit.Body);
        Assert.Equal("visits=42; max-age=2592000; path=/; samesite=lax; httponly", visit.Header("set-cookie"));

        var page = await CurlAsync(url + "/index.html", upgrade: true);
        Assert.Equal("200", page.Status);
        Assert.StartsWith("text/html", page.Header("content-type"), StringComparison.Ordinal);
        Assert.Contains("<h1>TodoApi</h1>", page.Body, StringComparison.Ordinal);

        app.Signal(CliProcess.SIGTERM);
        Assert.True(await app.WaitForExitAsync(s_wait), app.Transcript());
        Assert.Equal(0, app.ExitCode);
    }

    private async Task<CurlResponse> CurlAsync(string url, params string[] args) => await CurlAsync(url, upgrade: false, args);

    private async Task<CurlResponse> CurlAsync(string url, bool upgrade, params string[] args)
    {
        var run = await Http2Tools.RunAsync(output, "curl", ["-si", upgrade ? "--http2" : "--http2-prior-knowledge", "--max-time", "20", .. args, url], s_wait);
        Assert.True(run.ExitCode == 0, run.Describe());
        string text = run.StdOutText;
        if (upgrade)
        {
            Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", text, StringComparison.Ordinal);
            text = text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        }
        Assert.StartsWith("HTTP/2 ", text, StringComparison.Ordinal);
        return new CurlResponse(text);
    }

    [GeneratedRegex(@"listening on (?<url>http://\S+)")]
    private static partial Regex Listening();

    private sealed record CurlResponse(string Text)
    {
        public string Status => Text.Split(' ', 3)[1].Trim();

        public string Body => AppHarness.Body(Text);

        public string? Header(string name) => AppHarness.Header(Text, name);
    }
}
