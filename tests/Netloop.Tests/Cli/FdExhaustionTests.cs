using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Cli;

/// <summary>
/// Runs out of file descriptors on purpose, in a separate server process whose limit the test lowers with prlimit(2):
/// the server must log the condition, pause accepting instead of spinning, and serve again once fds are free.
/// The reactor modes only: in the threads and sockets modes the runtime needs an fd to start a thread, so there thread
/// creation fails first (threads mode: the connection is closed and logged; sockets mode: the runtime aborts the process
/// when its thread pool cannot grow). That is the runtime's limit, and one more reason the reactor exists.
/// </summary>
public sealed partial class FdExhaustionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("epoll")]
    [InlineData("poll")]
    public async Task Out_of_fds_the_server_logs_pauses_accepting_and_recovers(string mode)
    {
        await using var cli = CliProcess.Start(output, "serve", "--mode", mode, "--port", "0", "--loops", "1", "--shutdown-timeout", "5s");
        var started = await cli.WaitForLineAsync(StartupLine(), TimeSpan.FromSeconds(30));
        var endPoint = new IPEndPoint(IPAddress.Loopback, int.Parse(started.Groups["port"].Value, CultureInfo.InvariantCulture));

        // A first client lets the runtime open what it opens lazily (timer thread, socket engine) while fds remain.
        var payload = Clients.RandomBytes(1000, 1);
        Assert.Equal(payload, await Clients.EchoAsync(endPoint, payload, seed: 1));

        // Leave the server room for a few connections only.
        int open = Directory.GetFiles($"/proc/{cli.Id}/fd").Length;
        SetOpenFileLimit(cli.Id, (ulong)open + 8);

        var clients = new List<Socket>();
        try
        {
            for (int i = 0; i < 40; i++) clients.Add(await Clients.ConnectAsync(endPoint));
            await cli.WaitForLineAsync(TooManyFiles(), TimeSpan.FromSeconds(30));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        // Once the closed clients' fds are released the server accepts again. Connections may still be refused
        // or dropped while it works through the backlog of the clients that left, so retry for a bounded time.
        bool served = false;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!served && DateTime.UtcNow < deadline)
        {
            try
            {
                served = (await Clients.EchoAsync(endPoint, payload, seed: 1)).AsSpan().SequenceEqual(payload);
            }
            catch (Exception e) when (e is SocketException or EndOfStreamException or TimeoutException)
            {
                await Task.Delay(100);
            }
        }
        Assert.True(served, $"the server did not serve again after fds were freed:\n{cli.Transcript()}");

        cli.Signal(CliProcess.SIGTERM);
        Assert.True(await cli.WaitForExitAsync(TimeSpan.FromSeconds(20)), cli.Transcript());
        Assert.Equal(0, cli.ExitCode);
        Assert.DoesNotContain("   at ", cli.StdErr + cli.StdOut, StringComparison.Ordinal);
    }

    private static unsafe void SetOpenFileLimit(int pid, ulong limit)
    {
        var value = stackalloc ulong[2];
        value[0] = limit;
        value[1] = limit;
        int rc = prlimit(pid, 7 /* RLIMIT_NOFILE */, value, null);
        Assert.True(rc == 0, $"prlimit failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int prlimit(int pid, int resource, ulong* newLimit, ulong* oldLimit);

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(?<port>\d+) ")]
    private static partial Regex StartupLine();

    [GeneratedRegex(@"accept failed.*too many open files \(EMFILE\)")]
    private static partial Regex TooManyFiles();
}
