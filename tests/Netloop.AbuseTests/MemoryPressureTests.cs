using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Netloop.AbuseTests.Support;
using Xunit.Abstractions;

namespace Netloop.AbuseTests;

/// <summary>
/// Memory pressure: 10,000 connections each holding a half-sent 30 KB request head (just under the 32 KiB head limit,
/// never finished). The server's resident memory stays under <see cref="BytesPerConnection"/> per connection, it keeps
/// answering a good client, and once the clients leave the stop finds nothing left (the pools give their slabs back).
/// </summary>
public sealed class MemoryPressureTests(ITestOutputHelper output)
{
    private const int Connections = 10_000;

    /// <summary>The documented bound: the head's input block (a 32 KiB pool block) plus 16 KiB of connection and parser state.</summary>
    public const long BytesPerConnection = 48 * 1024;

    [Fact]
    public async Task Ten_thousand_half_sent_30KB_heads_stay_under_the_memory_bound_and_a_good_client_is_served()
    {
        // The server is a child process: 10,000 connections on each side would not fit one process's 20,000 fds.
        await using var server = await ServeProcess.StartAsync(output,
            ["--protocol", "http", "--loops", "2", "--max-connections", "20000", "--request-headers-timeout", "2m", "--idle-timeout", "2m"]);
        for (int i = 0; i < 20; i++) Assert.StartsWith("HTTP/1.1 200", await Clients.RequestAsync(server.Port, Clients.Get("/plaintext")));
        int fdsBefore = server.OpenFds;
        long baseline = server.RssBytes;

        var head = new StringBuilder("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n");
        for (int i = 0; i < 30; i++) head.Append(CultureInfo.InvariantCulture, $"X-Pad-{i:00}: ").Append('a', 988).Append("\r\n");
        byte[] halfHead = Encoding.ASCII.GetBytes(head.ToString()); // no blank line: the head never ends
        Assert.InRange(halfHead.Length, 30_000, 31_000);

        var clients = await Clients.ConnectManyAsync(server.Port, Connections, parallel: 200);
        try
        {
            using var gate = new SemaphoreSlim(200);
            await Task.WhenAll(clients.Select(async socket =>
            {
                await gate.WaitAsync();
                try
                {
                    await socket.SendAsync(halfHead, SocketFlags.None);
                }
                finally
                {
                    gate.Release();
                }
            }));
            long held = await SettledRssAsync(server) - baseline;
            string response = await Clients.RequestAsync(server.Port, Clients.Get("/plaintext"));
            output.WriteLine($"{Connections} connections x {halfHead.Length} B half-sent heads: server RSS baseline {Mib(baseline)}, growth {Mib(held)} ({held / (double)Connections / 1024:0.0} KiB per connection; bound {BytesPerConnection / 1024} KiB), peak {Mib(server.PeakRssBytes)}; fds {server.OpenFds}");
            output.WriteLine($"good client meanwhile: {response[..Math.Min(15, response.Length)]}");
            Assert.True(server.OpenFds >= fdsBefore + Connections, $"the server holds {server.OpenFds - fdsBefore} connections, not {Connections}");
            Assert.StartsWith("HTTP/1.1 200", response);
            Assert.True(held < Connections * BytesPerConnection, $"RSS grew {Mib(held)} for {Connections} connections, over {BytesPerConnection / 1024} KiB each");
        }
        finally
        {
            Clients.ResetAll(clients);
        }
        Assert.True(await server.WaitForFdsAtMostAsync(fdsBefore, TimeSpan.FromSeconds(30)), $"the server still holds {server.OpenFds - fdsBefore} connections after the clients left");
        // The audit after this burst is the regression test for pools kept full after a stop (a false heap leak).
        await server.StopCleanAsync();
    }

    /// <summary>RSS once the server has taken in what was sent: two samples 500 ms apart within 1 MiB (at most 30 s).</summary>
    private static async Task<long> SettledRssAsync(ServeProcess server)
    {
        long last = server.RssBytes;
        for (int i = 0; i < 60; i++)
        {
            await Task.Delay(500);
            long now = server.RssBytes;
            if (Math.Abs(now - last) < 1024 * 1024) return now;
            last = now;
        }
        return last;
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.0} MiB");
}
