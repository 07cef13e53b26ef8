using System.Diagnostics;
using System.Net.Sockets;
using Netloop.AbuseTests.Support;
using Xunit.Abstractions;

namespace Netloop.AbuseTests;

/// <summary>
/// More clients than the server may hold: a server started with RLIMIT_NOFILE 256 (accept fails with EMFILE), and one
/// with <c>--max-connections 100</c>, each met by 1,000 clients that connect and hold on. Neither crashes nor spins (its
/// CPU over a few seconds is sampled from /proc: a spinning accept loop would use a whole core), and each serves again
/// as soon as the clients leave.
/// </summary>
public sealed class FdExhaustionTests(ITestOutputHelper output)
{
    private const int Attackers = 1000;

    /// <summary>The most CPU (share of one core) a server may use while refused clients wait: a spin is 1.0.</summary>
    public const double MaxCpuWhileExhausted = 0.20;

    private static readonly TimeSpan s_cpuWindow = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_recoveryDeadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_server_out_of_fds_neither_crashes_nor_spins_and_serves_again_when_clients_leave()
    {
        await using var server = await ServeProcess.StartAsync(output, ["--protocol", "http", "--loops", "2"], openFiles: 256);
        Assert.StartsWith("HTTP/1.1 200", await Clients.RequestAsync(server.Port, Clients.Get("/plaintext")));
        var clients = await Clients.ConnectManyAsync(server.Port, Attackers);
        try
        {
            await Task.Delay(500); // let it accept what it can and hit EMFILE
            int fds = server.OpenFds;
            double cpu = await server.SampleCpuAsync(s_cpuWindow);
            output.WriteLine($"RLIMIT_NOFILE 256, {Attackers} clients holding on: server fds {fds}, CPU {cpu:P0} of a core over {s_cpuWindow.TotalSeconds} s (bound {MaxCpuWhileExhausted:P0})");
            Assert.False(server.HasExited, "the server died when it ran out of fds");
            Assert.True(fds > 200, $"the server holds only {fds} fds: the limit was not reached, so nothing was tested");
            Assert.True(cpu < MaxCpuWhileExhausted, $"the server used {cpu:P0} of a core while out of fds (a spin?)");
        }
        finally
        {
            Clients.ResetAll(clients);
        }
        await AssertServesAgainAsync(server);
        string log = await server.StopCleanAsync();
        Assert.Contains("accept failed", log); // the EMFILE was met, and logged (rate-limited)
    }

    [Fact]
    public async Task A_server_at_max_connections_closes_the_excess_neither_spins_and_serves_again_when_clients_leave()
    {
        const int limit = 100;
        await using var server = await ServeProcess.StartAsync(output, ["--protocol", "http", "--loops", "2", "--max-connections", "100"]);
        Assert.StartsWith("HTTP/1.1 200", await Clients.RequestAsync(server.Port, Clients.Get("/plaintext")));
        var clients = await Clients.ConnectManyAsync(server.Port, Attackers);
        try
        {
            double cpu = await server.SampleCpuAsync(s_cpuWindow);
            // The excess was accepted and closed at once: its clients read an end of stream; the held ones read nothing.
            var closed = await Task.WhenAll(clients.Select(IsClosedByServerAsync));
            int closedCount = closed.Count(c => c);
            string goodWhileFull = await TryRequestAsync(server.Port);
            output.WriteLine($"--max-connections {limit}, {Attackers} clients: {closedCount} closed by the server, {Attackers - closedCount} held; CPU {cpu:P0} of a core over {s_cpuWindow.TotalSeconds} s (bound {MaxCpuWhileExhausted:P0}); a good client while full got {(goodWhileFull.Length == 0 ? "a close" : goodWhileFull[..Math.Min(15, goodWhileFull.Length)])}");
            Assert.False(server.HasExited, "the server died at its connection limit");
            Assert.Equal(Attackers - limit, closedCount);
            Assert.True(cpu < MaxCpuWhileExhausted, $"the server used {cpu:P0} of a core at its connection limit (a spin?)");
            Assert.Equal("", goodWhileFull);
        }
        finally
        {
            Clients.ResetAll(clients);
        }
        await AssertServesAgainAsync(server);
        await server.StopCleanAsync();
    }

    private async Task AssertServesAgainAsync(ServeProcess server)
    {
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < s_recoveryDeadline)
        {
            last = await TryRequestAsync(server.Port);
            if (last.StartsWith("HTTP/1.1 200", StringComparison.Ordinal)) break;
            await Task.Delay(100);
        }
        output.WriteLine($"served again {clock.Elapsed.TotalSeconds:0.00} s after the clients left");
        Assert.StartsWith("HTTP/1.1 200", last);
    }

    private static async Task<string> TryRequestAsync(int port)
    {
        try
        {
            return await Clients.RequestAsync(port, Clients.Get("/plaintext"));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            return "";
        }
    }

    private static async Task<bool> IsClosedByServerAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            return await socket.ReceiveAsync(new byte[1], SocketFlags.None, cts.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true; // reset: closed all the same
        }
    }
}
