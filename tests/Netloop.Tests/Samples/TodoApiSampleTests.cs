using System.Diagnostics;
using System.Text.RegularExpressions;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Samples;

/// <summary>samples/TodoApi, built, started on <c>--port 0</c> and driven with curl as a user would.</summary>
public sealed partial class TodoApiSampleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_todo_api_serves_crud_json_cookies_static_files_and_its_error_pages()
    {
        await using var app = CliProcess.StartAssembly(output, SampleDll(), "--port", "0");
        string url = (await app.WaitForLineAsync(Listening(), s_wait)).Groups["url"].Value;

        var empty = await CurlAsync(url + "/api/todos");
        Assert.Equal("200", empty.Status);
        Assert.Equal("[]", empty.Body);
        Assert.Matches(@"^app;dur=\d+(\.\d+)?$", empty.Header("Server-Timing"));

        var created = await CurlAsync(url + "/api/todos", "-X", "POST", "-H", "Content-Type: application/json", "-d", "{\"title\":\"milk\"}");
        Assert.Equal("201", created.Status);
        Assert.Equal("/api/todos/1", created.Header("Location"));
        Assert.Equal("{\"id\":1,\"title\":\"milk\",\"done\":false}", created.Body);
        Assert.Equal("application/json", created.Header("Content-Type"));

        var updated = await CurlAsync(url + "/api/todos/1", "-X", "PUT", "-d", "{\"title\":\"oat milk\",\"done\":true}");
        Assert.Equal("{\"id\":1,\"title\":\"oat milk\",\"done\":true}", updated.Body);
        Assert.Equal("[{\"id\":1,\"title\":\"oat milk\",\"done\":true}]", (await CurlAsync(url + "/api/todos/")).Body);

        // appsettings.json says titles are at most 100 characters.
        var tooLong = await CurlAsync(url + "/api/todos", "-X", "POST", "-d", $"{{\"title\":\"{new string('x', 101)}\"}}");
        Assert.Equal("400", tooLong.Status);
        Assert.Contains("longer than 100", tooLong.Body, StringComparison.Ordinal);
        Assert.Equal("400", (await CurlAsync(url + "/api/todos", "-X", "POST", "-d", "not json")).Status);

        Assert.Equal("204", (await CurlAsync(url + "/api/todos/1", "-X", "DELETE")).Status);
        var gone = await CurlAsync(url + "/api/todos/1", "-X", "DELETE");
        Assert.Equal("404", gone.Status);
        Assert.Equal("{\"status\":404,\"title\":\"Not Found\"}", gone.Body); // the app's status-code page
        var wrongMethod = await CurlAsync(url + "/api/todos/1", "-X", "PATCH");
        Assert.Equal("405", wrongMethod.Status);
        Assert.Equal("GET, HEAD, PUT, DELETE", wrongMethod.Header("Allow"));
        Assert.Equal("{\"status\":405,\"title\":\"Method Not Allowed\"}", wrongMethod.Body);

        var visit = await CurlAsync(url + "/api/visits", "-b", "visits=41");
        Assert.Equal("{\"count\":42}", visit.Body);
        Assert.Equal("visits=42; max-age=2592000; path=/; samesite=lax; httponly", visit.Header("Set-Cookie"));

        var page = await CurlAsync(url + "/index.html");
        Assert.Equal("200", page.Status);
        Assert.StartsWith("text/html", page.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Contains("<h1>TodoApi</h1>", page.Body, StringComparison.Ordinal);

        app.Signal(CliProcess.SIGTERM);
        Assert.True(await app.WaitForExitAsync(s_wait), app.Transcript());
        Assert.Equal(0, app.ExitCode);
        Assert.Contains("todoapi: stopped", app.StdOut, StringComparison.Ordinal);
    }

    /// <summary>The sample's dll in its own output folder (the test project builds it first), same configuration as the tests.</summary>
    private static string SampleDll()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = framework.Parent!.Name;
        var root = framework;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Netloop.sln"))) root = root.Parent;
        Assert.NotNull(root);
        return Path.Combine(root.FullName, "samples", "TodoApi", "bin", configuration, framework.Name, "TodoApi.dll");
    }

    private async Task<CurlResponse> CurlAsync(string url, params string[] args)
    {
        var info = new ProcessStartInfo("curl") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])["-si", "--max-time", "20", .. args, url]) info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start curl");
        using var timeout = new CancellationTokenSource(s_wait);
        var reading = process.StandardOutput.ReadToEndAsync(timeout.Token);
        string errors = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        string text = await reading;
        output.WriteLine($"$ curl {string.Join(' ', info.ArgumentList)}\n{text}");
        Assert.True(process.ExitCode == 0, $"curl exited with {process.ExitCode}: {errors}");
        return new CurlResponse(text);
    }

    [GeneratedRegex(@"listening on (?<url>http://\S+)")]
    private static partial Regex Listening();

    private sealed record CurlResponse(string Text)
    {
        public string Status => Text.Split(' ', 3)[1];

        public string Body => AppHarness.Body(Text);

        public string? Header(string name) => AppHarness.Header(Text, name);
    }
}
