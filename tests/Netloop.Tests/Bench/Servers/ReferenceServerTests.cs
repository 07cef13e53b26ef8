using System.Net.Sockets;
using System.Text;
using Netloop.Bench;
using Netloop.Bench.Cases;
using Netloop.Bench.Running;
using Netloop.Bench.Servers;

namespace Netloop.Tests.Bench.Servers;

/// <summary>
/// The C limit servers (<c>c</c>): the repository's own sources in <c>bench/limit</c>, built and driven for real
/// (keep-alive, pipelined and split requests, echo under backpressure), the commands that start them, and why they
/// cannot run when gcc or the sources are missing. Builds run gcc for real.
/// </summary>
public sealed class ReferenceServerTests : IDisposable
{
    private static readonly ServerSpec s_reference = ServerCatalog.All.Single(s => s.Name == ServerCatalog.Reference);

    private readonly string _folder = Directory.CreateTempSubdirectory("netloop-reference-test-").FullName;

    /// <summary>Deletes the temp folder.</summary>
    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Scratch => Directory.CreateDirectory(Path.Combine(_folder, "scratch")).FullName;

    private string Sources => Directory.CreateDirectory(Path.Combine(_folder, "sources")).FullName;

    // A launcher looking for the sources in referenceFolder, with this machine's gcc or, when withGcc is false, none.
    private ServerLauncher Launcher(string? referenceFolder, string? repositoryRoot = "/repo", bool withGcc = true) =>
        new(new NetloopExecutable(new ProcessCommand("netloop", [])), repositoryRoot, Scratch, Path.Combine(_folder, "logs"))
        {
            ReferenceFolder = referenceFolder,
            GccPath = withGcc ? CpuPinning.FindOnPath("gcc") : null,
        };

    [Fact]
    public void Http_cases_start_limit_http_and_echo_cases_limit_echo_from_the_scratch_folder_on_loopback()
    {
        var launcher = Launcher(Sources);

        Assert.Equal($"{Scratch}/limit-http 8083 127.0.0.1", launcher.Command(s_reference, LoadProtocol.Http, 8083, 10_256, TimeSpan.FromMinutes(1)).ToString());
        Assert.Equal($"{Scratch}/limit-echo 7007 127.0.0.1", launcher.Command(s_reference, LoadProtocol.Echo, 7007, 1024, TimeSpan.FromMinutes(1)).ToString());
        Assert.Equal("/usr/bin/taskset -c 0 " + $"{Scratch}/limit-http 8083 127.0.0.1",
            new CpuPinning("/usr/bin/taskset", 0, 1).Server(launcher.Command(s_reference, LoadProtocol.Http, 8083, 1024, TimeSpan.FromMinutes(1))).ToString());
    }

    [Fact]
    public void Sources_are_in_the_clone_unless_the_variable_names_a_folder()
    {
        Assert.Equal("/work/main/bench/limit", ReferenceServers.FolderFor("/work/main", null));
        Assert.Equal("/work/main/bench/limit", ReferenceServers.FolderFor("/work/main/", " "));
        Assert.Equal("/opt/ref", ReferenceServers.FolderFor("/work/main", "/opt/ref"));
        Assert.Equal("/opt/ref", ReferenceServers.FolderFor(null, "/opt/ref"));
        Assert.Null(ReferenceServers.FolderFor(null, null));
        Assert.Equal(
            $"/usr/bin/gcc -O2 -Wall -o {Scratch}/limit-echo /src/limit-echo.c",
            ReferenceServers.Build("/usr/bin/gcc", "/src", ReferenceServers.EchoProgram, Scratch).ToString());
    }

    [Fact]
    public async Task Missing_sources_are_not_available_with_the_path_looked_at_and_the_variable()
    {
        var availability = await Launcher(Sources).PrepareAsync(s_reference, CancellationToken.None);

        Assert.False(availability.Available);
        Assert.Equal($"not available: {Sources}/limit-http.c not found (set NETLOOP_REFERENCE_DIR to the folder of limit-http.c and limit-echo.c)", availability.Status);

        File.WriteAllText(Path.Combine(Sources, "limit-http.c"), "int main(void) { return 0; }\n");
        var halfway = await Launcher(Sources).PrepareAsync(s_reference, CancellationToken.None);
        Assert.Contains($"{Sources}/limit-echo.c not found", halfway.Status, StringComparison.Ordinal);

        var outside = await Launcher(null, repositoryRoot: null).PrepareAsync(s_reference, CancellationToken.None);
        Assert.False(outside.Available);
        Assert.Contains("NETLOOP_REFERENCE_DIR", outside.Status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_gcc_the_reference_is_not_available_and_says_so()
    {
        WriteSources("int main(void) { return 0; }\n");

        var availability = await Launcher(Sources, withGcc: false).PrepareAsync(s_reference, CancellationToken.None);

        Assert.False(availability.Available);
        Assert.Equal("not available: gcc not installed (needed to build limit-http.c and limit-echo.c)", availability.Status);
    }

    [Fact]
    public async Task Sources_that_do_not_compile_are_reported_with_gcc_s_last_line_and_good_ones_build_into_the_scratch_folder()
    {
        var launcher = Launcher(Sources);
        if (launcher.GccPath is null) return; // No compiler here: the case above covers this machine.

        WriteSources("int main(void) { return not_declared; }\n");
        var broken = await launcher.PrepareAsync(s_reference, CancellationToken.None);
        Assert.False(broken.Available);
        Assert.StartsWith("limit-http.c did not build (exit code 1): ", broken.Status, StringComparison.Ordinal);
        // The compiler's first error, not its last line (a caret under the source); quotes follow the locale.
        Assert.Contains("error:", broken.Status, StringComparison.Ordinal);
        Assert.Contains("not_declared", broken.Status, StringComparison.Ordinal);
        Assert.EndsWith("(see logs/reference-build.log)", broken.Status, StringComparison.Ordinal);
        Assert.Contains("-O2 -Wall", File.ReadAllText(Path.Combine(_folder, "logs", "reference-build.log")), StringComparison.Ordinal);

        WriteSources("int main(void) { return 0; }\n");
        var built = await launcher.PrepareAsync(s_reference, CancellationToken.None);
        Assert.True(built.Available, built.Status);
        Assert.StartsWith("gcc ", built.Version, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Scratch, "limit-http")));
        Assert.True(File.Exists(Path.Combine(Scratch, "limit-echo")));
    }

    [Fact]
    public async Task The_repository_s_limit_http_answers_each_request_once_however_requests_are_split_or_pipelined()
    {
        string? root = RepositoryRoot.Find(AppContext.BaseDirectory);
        Assert.NotNull(root);
        var launcher = Launcher(ReferenceServers.FolderFor(root, null), root);
        if (launcher.GccPath is null) return; // No compiler here: the gcc case above covers this machine.
        var built = await launcher.PrepareAsync(s_reference, CancellationToken.None);
        Assert.True(built.Available, built.Status);

        await using var server = await StartAsync(launcher, LoadProtocol.Http);
        using var client = await ConnectAsync(server.Port);
        var stream = client.GetStream();

        // Two whole requests and the start of a third in one write, then the rest of the third a byte at a time.
        const string request = "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request + request + request[..20]));
        foreach (char c in request[20..]) await stream.WriteAsync(new[] { (byte)c });
        string answers = await ReadUntilAsync(stream, text => Count(text, "Hello, World!") >= 3);

        Assert.Equal(3, Count(answers, "HTTP/1.1 200 OK\r\n"));
        Assert.Equal(3, Count(answers, "Content-Length: 13\r\n"));
        Assert.Contains("\r\nDate: ", answers, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nHello, World!", answers, StringComparison.Ordinal);

        // A deep pipeline on the same connection: one answer per request, in whole answers.
        await stream.WriteAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(request, 500))));
        string deep = await ReadUntilAsync(stream, text => Count(text, "Hello, World!") >= 500);
        Assert.Equal(500, Count(deep, "HTTP/1.1 200 OK\r\n"));
    }

    [Fact]
    public async Task The_repository_s_limit_echo_returns_every_byte_in_order_even_when_the_client_reads_late()
    {
        string? root = RepositoryRoot.Find(AppContext.BaseDirectory);
        Assert.NotNull(root);
        var launcher = Launcher(ReferenceServers.FolderFor(root, null), root);
        if (launcher.GccPath is null) return;
        var built = await launcher.PrepareAsync(s_reference, CancellationToken.None);
        Assert.True(built.Available, built.Status);

        await using var server = await StartAsync(launcher, LoadProtocol.Echo);
        using var client = await ConnectAsync(server.Port);
        var stream = client.GetStream();

        // 4 MB written before anything is read: more than both socket buffers hold, so the server must hold bytes
        // back and stop reading until the client reads again, then give everything back in order.
        byte[] sent = new byte[4 << 20];
        new Random(7).NextBytes(sent);
        var writing = stream.WriteAsync(sent).AsTask();
        await Task.Delay(200);
        byte[] received = new byte[sent.Length];
        int total = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (total < received.Length)
        {
            int read = await stream.ReadAsync(received.AsMemory(total), timeout.Token);
            Assert.NotEqual(0, read);
            total += read;
        }
        await writing;
        Assert.Equal(sent, received);
    }

    private sealed record RunningServer(ChildProcess Process, int Port) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Process.StopAsync(TimeSpan.FromSeconds(5));
            await Process.DisposeAsync();
        }
    }

    private async Task<RunningServer> StartAsync(ServerLauncher launcher, LoadProtocol protocol)
    {
        int port = BenchRunner.FreePort();
        var process = ChildProcess.Start(launcher.Command(s_reference, protocol, port, 64, TimeSpan.FromMinutes(1)), Path.Combine(_folder, "logs", "server.log"));
        // Both print "... listening on ADDRESS:PORT" once the socket listens; connecting is the readiness test here.
        for (int attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return new RunningServer(process, port);
            }
            catch (SocketException)
            {
                Assert.False(process.HasExited, "the limit server exited at start (see its log)");
                await Task.Delay(50);
            }
        }
        await process.StopAsync(TimeSpan.FromSeconds(5));
        throw new TimeoutException($"the limit server did not listen on {port} within 10 s");
    }

    private static async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        return client;
    }

    private static async Task<string> ReadUntilAsync(NetworkStream stream, Func<string, bool> done)
    {
        var text = new StringBuilder();
        byte[] buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!done(text.ToString()))
        {
            int read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.NotEqual(0, read);
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return text.ToString();
    }

    private static int Count(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    [Fact]
    public void The_reference_is_never_sent_sigusr2_which_would_end_it()
    {
        Assert.False(BenchRunner.ReportsStats(s_reference));
        Assert.False(BenchRunner.ReportsStats(ServerCatalog.All.Single(s => s.Name == ServerCatalog.Nginx)));
        Assert.True(BenchRunner.ReportsStats(ServerCatalog.All.Single(s => s.Name == ServerCatalog.Kestrel)));
        Assert.True(BenchRunner.ReportsStats(ServerCatalog.All.Single(s => s.Name == "epoll")));
    }

    private void WriteSources(string text)
    {
        foreach (string program in ReferenceServers.Programs) File.WriteAllText(Path.Combine(Sources, program + ".c"), text);
    }
}
