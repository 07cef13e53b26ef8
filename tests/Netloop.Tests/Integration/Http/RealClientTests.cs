using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Netloop.Tests.Support;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Netloop.Tests.Integration.Http;

/// <summary>
/// Real HTTP clients (curl, python's http.client, ab, wrk) against the built <c>netloop serve --protocol http</c> process:
/// what they send is what browsers, scripts and load generators send, quirks included, so these catch what hand-written
/// requests do not. Every wait is bounded and nothing asserts on speed. A missing tool is a failure, not a skip:
/// <c>.ci/run</c> installs them.
/// </summary>
public sealed partial class RealClientTests(RealClientTests.DemoServers servers, ITestOutputHelper output) : IClassFixture<RealClientTests.DemoServers>
{
    private static readonly TimeSpan s_toolWait = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Curl_reuses_one_keep_alive_connection_for_two_urls()
    {
        var server = await servers.GetAsync("epoll");

        var run = await RunAsync("curl", ["-sv", "--max-time", "30", server.Url("/plaintext"), server.Url("/json")]);

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Equal("Hello, World!{\"message\":\"Hello, World!\"}", run.StdOutText);
        Assert.Contains("Re-using existing", run.StdErr, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(run.StdErr, @"^\* Connected to ", RegexOptions.Multiline));
    }

    [Fact]
    public async Task Curl_with_an_empty_host_or_an_over_long_method_gets_400_and_501()
    {
        var server = await servers.GetAsync("epoll");

        // "Host;" makes curl send the field with an empty value; -X sends any method name as given.
        var emptyHost = await RunAsync("curl", ["-s", "--max-time", "30", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host;", server.Url("/plaintext")]);
        var longMethod = await RunAsync("curl", ["-s", "--max-time", "30", "-o", "/dev/null", "-w", "%{http_code}", "-X", new string('X', 40), server.Url("/plaintext")]);
        var rawPath = await RunAsync("curl", ["-s", "--max-time", "30", "--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", server.Url("/static/%00")]);

        Assert.True(emptyHost.ExitCode == 0, emptyHost.Describe());
        Assert.Equal("400", emptyHost.StdOutText);
        Assert.True(longMethod.ExitCode == 0, longMethod.Describe());
        Assert.Equal("501", longMethod.StdOutText);
        Assert.True(rawPath.ExitCode == 0, rawPath.Describe());
        Assert.Equal("400", rawPath.StdOutText);
    }

    [Fact]
    public async Task Curl_options_asterisk_gets_200_with_the_served_methods_and_connect_gets_405()
    {
        var server = await servers.GetAsync("epoll");

        var options = await RunAsync("curl", ["-siv", "--max-time", "30", "-X", "OPTIONS", "--request-target", "*", server.Url("/")]);
        var connect = await RunAsync("curl", ["-si", "--max-time", "30", "-X", "CONNECT", "--request-target", "example.com:443", server.Url("/")]);

        Assert.True(options.ExitCode == 0, options.Describe());
        Assert.StartsWith("HTTP/1.1 200 OK", options.StdOutText, StringComparison.Ordinal);
        Assert.Contains("Allow: GET, HEAD, POST, PUT, OPTIONS\r\n", options.StdOutText, StringComparison.Ordinal);
        Assert.Contains("> OPTIONS * HTTP/1.1", options.StdErr, StringComparison.Ordinal);
        Assert.True(connect.ExitCode == 0, connect.Describe());
        Assert.StartsWith("HTTP/1.1 405 Method Not Allowed", connect.StdOutText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_chunked_upload_of_300_KB_comes_back_byte_for_byte()
    {
        var server = await servers.GetAsync("epoll");
        byte[] payload = Clients.RandomBytes(300 * 1024, seed: 11);

        var run = await RunAsync("curl", ["-sv", "--max-time", "30", "-T", "-", "-H", "Content-Type: application/octet-stream", server.Url("/echo")], stdin: payload);

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("> Transfer-Encoding: chunked", run.StdErr, StringComparison.Ordinal);
        Assert.Contains("< HTTP/1.1 200 OK", run.StdErr, StringComparison.Ordinal);
        Assert.Contains("< Content-Type: application/octet-stream", run.StdErr, StringComparison.Ordinal);
        AssertSameBytes(payload, run.StdOut);
    }

    [Fact]
    public async Task Curl_head_gets_the_headers_of_get_and_no_body()
    {
        var server = await servers.GetAsync("epoll");

        // Two HEADs on one connection: a body sent after the first would be read as the second's status line.
        var run = await RunAsync("curl", ["-sv", "-I", "--max-time", "30", server.Url("/plaintext"), server.Url("/plaintext")]);

        Assert.True(run.ExitCode == 0, run.Describe());
        string[] heads = run.StdOutText.Split("\r\n\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(heads.Length == 2, run.Describe());
        foreach (string head in heads)
        {
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", head, StringComparison.Ordinal);
            Assert.Contains("\r\nContent-Length: 13", head + "\r\n", StringComparison.OrdinalIgnoreCase);
        }
        Assert.DoesNotContain("Hello", run.StdOutText, StringComparison.Ordinal);
        Assert.Contains("Re-using existing", run.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_expect_100_continue_gets_100_then_200_and_the_exact_bytes()
    {
        var server = await servers.GetAsync("epoll");
        byte[] payload = Clients.RandomBytes(300 * 1024, seed: 12);
        string file = servers.WriteTempFile("expect.bin", payload);

        var run = await RunAsync("curl", ["-sv", "--max-time", "30", "-H", "Expect: 100-continue", "-H", "Content-Type: application/octet-stream", "--data-binary", "@" + file, server.Url("/echo")]);

        Assert.True(run.ExitCode == 0, run.Describe());
        int interim = run.StdErr.IndexOf("< HTTP/1.1 100 Continue", StringComparison.Ordinal);
        int final = run.StdErr.IndexOf("< HTTP/1.1 200 OK", StringComparison.Ordinal);
        Assert.True(interim >= 0, $"no 100 Continue:\n{run.Describe()}");
        Assert.True(final > interim, $"no 200 after the 100 Continue:\n{run.Describe()}");
        AssertSameBytes(payload, run.StdOut);
    }

    [Fact]
    public async Task Curl_range_on_a_static_file_gets_206_and_exactly_those_bytes()
    {
        var server = await servers.GetAsync("epoll");

        var run = await RunAsync("curl", ["-sv", "--max-time", "30", "--range", "100-199", server.Url("/static/" + DemoServers.StaticFileName)]);

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("< HTTP/1.1 206 Partial Content", run.StdErr, StringComparison.Ordinal);
        Assert.Contains($"< Content-Range: bytes 100-199/{servers.StaticFile.Length}", run.StdErr, StringComparison.Ordinal);
        Assert.Contains("< Content-Length: 100", run.StdErr, StringComparison.Ordinal);
        AssertSameBytes(servers.StaticFile.AsSpan(100, 100).ToArray(), run.StdOut);
    }

    [Fact]
    public async Task Python_http_client_does_get_json_post_and_head_on_one_connection()
    {
        var server = await servers.GetAsync("epoll");
        string script = servers.WriteTempFile("client.py", Encoding.UTF8.GetBytes(PythonClient));

        var run = await RunAsync("python3", [script, server.Port.ToString(CultureInfo.InvariantCulture)]);

        Assert.True(run.ExitCode == 0, run.Describe());
        string[] expected =
        [
            "plaintext 200 13 text/plain; charset=utf-8 Hello, World!",
            "json 200 application/json Hello, World!",
            "echo 200 application/octet-stream 102400 True",
            "head 200 13 0",
            "health 200 ok",
            "connections 1",
        ];
        Assert.Equal(string.Join('\n', expected), run.StdOutText.Trim());
    }

    [Theory]
    [InlineData("epoll")]
    [InlineData("poll")]
    public async Task Ab_with_keep_alive_completes_20000_requests_without_a_failure(string mode)
    {
        var server = await servers.GetAsync(mode);

        var run = await RunAsync("ab", ["-k", "-n", "20000", "-c", "50", "-s", "30", server.Url("/plaintext")]);

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Equal("20000", AbField(run, "Complete requests"));
        Assert.Equal("0", AbField(run, "Failed requests"));
        Assert.DoesNotContain("Non-2xx responses", run.StdOutText, StringComparison.Ordinal);
        Assert.True(long.Parse(AbField(run, "Keep-Alive requests"), CultureInfo.InvariantCulture) > 0, run.Describe());
    }

    [Theory]
    [InlineData("epoll")]
    [InlineData("poll")]
    public async Task Wrk_pipelining_16_deep_gets_only_2xx_and_no_socket_errors(string mode)
    {
        var server = await servers.GetAsync(mode);
        string script = servers.WriteTempFile("pipeline.lua", Encoding.UTF8.GetBytes(PipelineScript));

        var run = await RunAsync("wrk", ["-t1", "-c64", "-d3s", "--timeout", "10s", "-s", script, server.Url("/plaintext"), "--", "16"]);

        Assert.True(run.ExitCode == 0, run.Describe());
        var requests = WrkRequests().Match(run.StdOutText);
        Assert.True(requests.Success, $"no request count in wrk's output:\n{run.Describe()}");
        Assert.True(long.Parse(requests.Groups["n"].Value, CultureInfo.InvariantCulture) > 0, run.Describe());
        Assert.DoesNotContain("Non-2xx or 3xx responses", run.StdOutText, StringComparison.Ordinal);
        var errors = WrkSocketErrors().Match(run.StdOutText);
        if (errors.Success)
        {
            Assert.True(errors.Groups["connect"].Value == "0" && errors.Groups["read"].Value == "0" && errors.Groups["write"].Value == "0", run.Describe());
        }
    }

    /// <summary>
    /// One <c>netloop serve --protocol http</c> per mode, started on first use and shared by the tests of the class,
    /// with a temporary <c>--root</c>. Disposal stops each with SIGTERM and requires a clean exit (no leaked buffers).
    /// </summary>
    public sealed partial class DemoServers : IAsyncLifetime
    {
        public const string StaticFileName = "range.bin";

        private readonly Dictionary<string, Task<DemoServer>> _byMode = [];
        private readonly ITestOutputHelper _log;

        public DemoServers(IMessageSink sink)
        {
            _log = new SinkOutput(sink);
            Directory.CreateDirectory(Root);
            File.WriteAllBytes(Path.Combine(Root, StaticFileName), StaticFile);
        }

        /// <summary>Scratch space for the tests (uploads, scripts); the server's root is below it.</summary>
        public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "netloop-real-clients-" + Guid.NewGuid().ToString("N"));

        public string Root => Path.Combine(WorkDirectory, "root");

        public byte[] StaticFile { get; } = Clients.RandomBytes(1000, seed: 10);

        public Task<DemoServer> GetAsync(string mode)
        {
            lock (_byMode)
            {
                if (!_byMode.TryGetValue(mode, out var server))
                {
                    server = StartAsync(mode);
                    _byMode[mode] = server;
                }
                return server;
            }
        }

        public string WriteTempFile(string name, byte[] content)
        {
            string path = Path.Combine(WorkDirectory, name);
            File.WriteAllBytes(path, content);
            return path;
        }

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            var failures = new List<string>();
            try
            {
                foreach (var pending in _byMode.Values)
                {
                    DemoServer server;
                    try
                    {
                        server = await pending;
                    }
                    catch (XunitException)
                    {
                        continue; // it never started; that test failed already
                    }
                    await using (server.Process)
                    {
                        try
                        {
                            server.Process.Signal(CliProcess.SIGTERM);
                        }
                        catch (XunitException e)
                        {
                            failures.Add($"netloop ({server.Mode}): {e.Message}\n{server.Process.Transcript()}");
                            continue;
                        }
                        if (!await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)))
                        {
                            failures.Add($"netloop ({server.Mode}) did not exit after SIGTERM:\n{server.Process.Transcript()}");
                        }
                        else if (server.Process.ExitCode != 0 || !StoppedLine().IsMatch(server.Process.StdOut))
                        {
                            failures.Add($"netloop ({server.Mode}) exited with {server.Process.ExitCode} after SIGTERM (0 and no leak expected):\n{server.Process.Transcript()}");
                        }
                    }
                }
            }
            finally
            {
                Directory.Delete(WorkDirectory, recursive: true);
            }
            if (failures.Count > 0) throw new XunitException(string.Join("\n", failures));
        }

        private async Task<DemoServer> StartAsync(string mode)
        {
            var cli = CliProcess.Start(_log, "serve", "--protocol", "http", "--mode", mode, "--port", "0", "--loops", "2", "--shutdown-timeout", "5s", "--root", Root);
            try
            {
                var started = await cli.WaitForLineAsync(StartupLine(), TimeSpan.FromSeconds(30));
                return new DemoServer(cli, mode, int.Parse(started.Groups["port"].Value, CultureInfo.InvariantCulture));
            }
            catch
            {
                await cli.DisposeAsync();
                throw;
            }
        }

        [GeneratedRegex(@"listening on 127\.0\.0\.1:(?<port>\d+) \(mode \w+, protocol http")]
        private static partial Regex StartupLine();

        [GeneratedRegex(@"netloop stopped: .*buffers outstanding 0")]
        private static partial Regex StoppedLine();
    }

    /// <summary>A running demo server.</summary>
    public sealed class DemoServer
    {
        internal DemoServer(CliProcess process, string mode, int port)
        {
            Process = process;
            Mode = mode;
            Port = port;
        }

        public string Mode { get; }

        public int Port { get; }

        internal CliProcess Process { get; }

        public string Url(string path) => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}{path}";
    }

    /// <summary>Fixtures get no test output; their lines go to the runner's diagnostic messages instead.</summary>
    private sealed class SinkOutput(IMessageSink sink) : ITestOutputHelper
    {
        public void WriteLine(string message) => sink.OnMessage(new DiagnosticMessage(message));

        public void WriteLine(string format, params object[] args) => sink.OnMessage(new DiagnosticMessage(format, args));
    }

    private sealed record ToolRun(string CommandLine, int ExitCode, byte[] StdOut, string StdErr)
    {
        public string StdOutText => Encoding.Latin1.GetString(StdOut);

        public string Describe()
        {
            bool binary = StdOut.AsSpan().IndexOfAnyInRange((byte)0, (byte)8) >= 0 || StdOut.AsSpan().IndexOfAnyInRange((byte)14, (byte)31) >= 0;
            string stdout = binary ? $"({StdOut.Length} bytes of binary)"
                : StdOut.Length <= 4096 ? StdOutText
                : $"({StdOut.Length} bytes; the first 4096:)\n{Encoding.Latin1.GetString(StdOut, 0, 4096)}";
            string stderr = StdErr.Length <= 16384 ? StdErr : StdErr[..16384] + "\n(stderr cut at 16384 chars)";
            return $"$ {CommandLine}\nexit code {ExitCode}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}";
        }
    }

    /// <summary>Runs <paramref name="tool"/> to its end (killing it after <see cref="s_toolWait"/>) with <paramref name="stdin"/> as its input.</summary>
    private async Task<ToolRun> RunAsync(string tool, string[] args, byte[]? stdin = null)
    {
        RequireTool(tool);
        var info = new ProcessStartInfo(tool)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in args) info.ArgumentList.Add(arg);
        string commandLine = tool + " " + string.Join(' ', args);
        output.WriteLine($"$ {commandLine}");

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {tool}");
        using var timeout = new CancellationTokenSource(s_toolWait);
        var stdout = new MemoryStream();
        var reading = process.StandardOutput.BaseStream.CopyToAsync(stdout, timeout.Token);
        var readingErrors = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            if (stdin is not null) await process.StandardInput.BaseStream.WriteAsync(stdin, timeout.Token);
            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(reading, readingErrors);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{commandLine} did not finish within {s_toolWait.TotalSeconds} s");
        }
        var run = new ToolRun(commandLine, process.ExitCode, stdout.ToArray(), await readingErrors);
        output.WriteLine($"exit code {run.ExitCode}, {run.StdOut.Length} bytes on stdout");
        return run;
    }

    private static void RequireTool(string tool)
    {
        string package = tool switch
        {
            "ab" => "apache2-utils",
            _ => tool,
        };
        string[] path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        if (!path.Any(directory => File.Exists(Path.Combine(directory, tool))))
        {
            Assert.Fail($"{tool} is not installed; .ci/run installs it with apt-get (package {package})");
        }
    }

    private static void AssertSameBytes(byte[] expected, byte[] actual)
    {
        if (expected.AsSpan().SequenceEqual(actual)) return;
        int differ = expected.AsSpan().CommonPrefixLength(actual);
        static string Window(byte[] bytes, int at) => Convert.ToHexString(bytes, Math.Min(at, bytes.Length), Math.Min(24, bytes.Length - Math.Min(at, bytes.Length)));
        Assert.Fail($"expected {expected.Length} bytes, got {actual.Length}; they differ from byte {differ}: expected {Window(expected, differ)}…, got {Window(actual, differ)}…");
    }

    private static string AbField(ToolRun run, string name)
    {
        var match = Regex.Match(run.StdOutText, $@"^{Regex.Escape(name)}:\s+(\d+)", RegexOptions.Multiline);
        Assert.True(match.Success, $"no '{name}:' in ab's output:\n{run.Describe()}");
        return match.Groups[1].Value;
    }

    [GeneratedRegex(@"(?<n>\d+) requests in ")]
    private static partial Regex WrkRequests();

    [GeneratedRegex(@"Socket errors: connect (?<connect>\d+), read (?<read>\d+), write (?<write>\d+), timeout (?<timeout>\d+)")]
    private static partial Regex WrkSocketErrors();

    // TechEmpower's pipelining for wrk: each write carries DEPTH requests (wrk ... -s pipeline.lua -- DEPTH).
    private const string PipelineScript = """
        init = function(args)
          local depth = tonumber(args[1]) or 1
          local r = {}
          for i = 1, depth do
            r[i] = wrk.format()
          end
          req = table.concat(r)
        end

        request = function()
          return req
        end
        """;

    // http.client reconnects on its own when a connection closes: the local ports it used show whether it had to.
    private const string PythonClient = """
        import http.client, json, sys

        conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
        ports = set()

        def call(method, path, body=None, headers=None):
            conn.request(method, path, body=body, headers=headers or {})
            ports.add(conn.sock.getsockname()[1])
            response = conn.getresponse()
            data = response.read()
            return response, data

        r, b = call("GET", "/plaintext")
        print("plaintext", r.status, r.getheader("Content-Length"), r.getheader("Content-Type"), b.decode())
        r, b = call("GET", "/json")
        print("json", r.status, r.getheader("Content-Type"), json.loads(b)["message"])
        payload = bytes((i * 7 + 3) % 251 for i in range(100 * 1024))
        r, b = call("POST", "/echo", payload, {"Content-Type": "application/octet-stream"})
        print("echo", r.status, r.getheader("Content-Type"), len(b), b == payload)
        r, b = call("HEAD", "/plaintext")
        print("head", r.status, r.getheader("Content-Length"), len(b))
        # A body wrongly sent after the HEAD response would now be read as this response's status line.
        r, b = call("GET", "/health")
        print("health", r.status, b.decode())
        print("connections", len(ports))
        """;
}
