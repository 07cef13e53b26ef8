using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Netloop.AbuseTests.Support;
using Xunit.Abstractions;

namespace Netloop.AbuseTests;

/// <summary>
/// Slow readers: clients that ask for a large response (16 MiB) and never read it, over HTTP/1.1 and HTTP/2 (with the
/// largest flow-control windows, so only the socket holds the server back). The server holds about its output
/// high-water mark per stalled connection (the rest stays in the file, unproduced), closes them by the send timeout
/// (<c>--send-timeout</c>, nginx's <c>send_timeout</c>), and keeps serving a good client.
/// </summary>
public sealed class SlowReaderTests(ITestOutputHelper output)
{
    /// <summary>ServerOptions.OutputHighWaterMark's default: the output an HTTP/1.1 connection may queue before it stops producing.</summary>
    public const long Http1HighWaterMark = 64 * 1024;

    /// <summary>HTTP/2's own mark (Http2Connection.OutputHighWater): output held before waiting streams stop being pumped.</summary>
    public const long Http2HighWaterMark = 256 * 1024;

    /// <summary>The documented bound per stalled HTTP/1.1 connection: its high-water mark plus 32 KiB of connection and parser state.</summary>
    public const long Http1BytesPerStalledConnection = Http1HighWaterMark + 32 * 1024;

    /// <summary>
    /// The documented bound per stalled HTTP/2 connection: twice its high-water mark (the mark, one round of frames past
    /// it, the stream and HPACK state, and pool slack; measured about 350 KiB).
    /// </summary>
    public const long Http2BytesPerStalledConnection = 2 * Http2HighWaterMark;

    private const int Readers = 200;

    private static readonly TimeSpan s_closeDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public Task Http1_slow_readers_stay_under_the_high_water_mark_and_are_closed_by_the_send_timeout() =>
        SlowReadersAsync(Encoding.ASCII.GetBytes("GET /static/big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n"), Http1BytesPerStalledConnection);

    [Fact]
    public Task Http2_slow_readers_stay_under_the_high_water_mark_and_are_closed_by_the_send_timeout() =>
        SlowReadersAsync(Http2Frames.GreedyGet("/static/big.bin"), Http2BytesPerStalledConnection);

    private async Task SlowReadersAsync(byte[] request, long bytesPerStalledConnection)
    {
        await using var server = await ServeProcess.StartAsync(output, ["--protocol", "http", "--loops", "2", "--root", TestFiles.Root, "--send-timeout", "2s"]);
        // Warm-up, the large response included, so its code paths are not counted as the attack's memory.
        for (int i = 0; i < 10; i++) Assert.StartsWith("HTTP/1.1 200", await Clients.RequestAsync(server.Port, Clients.Get("/plaintext")));
        string whole = await Clients.RequestAsync(server.Port, Clients.Get("/static/big.bin"));
        Assert.True(whole.Length > TestFiles.BigFileBytes, "the large file was not served whole");
        await WarmUpHttp2Async(server.Port, request);
        int fdsBefore = server.OpenFds;
        long baseline = server.RssBytes;

        await using var good = GoodClient.Start(server.Port);
        // A small receive buffer, so each stall is reached with little in flight.
        var readers = await Clients.ConnectManyAsync(server.Port, Readers, receiveBuffer: 4096);
        var clock = Stopwatch.StartNew();
        try
        {
            foreach (var reader in readers) await reader.SendAsync(request, SocketFlags.None);
            bool closed = await server.WaitForFdsAtMostAsync(fdsBefore, s_closeDeadline);
            var closedAfter = clock.Elapsed;
            long held = server.PeakRssBytes - baseline;
            await good.StopAsync();

            output.WriteLine($"{Readers} slow readers: server closed them all: {closed}, after {closedAfter.TotalSeconds:0.0} s (send timeout 2 s)");
            output.WriteLine($"server RSS: baseline {Mib(baseline)}, peak growth {Mib(held)} ({held / Readers / 1024.0:0.0} KiB per stalled connection; bound {bytesPerStalledConnection / 1024} KiB)");
            output.WriteLine($"good client: {good.Served} served, {good.Failures.Count} failed {string.Join("; ", good.Failures.Take(3))}");
            Assert.True(closed, $"the server still holds {server.OpenFds - fdsBefore} connections after {s_closeDeadline.TotalSeconds} s");
            Assert.True(held < Readers * bytesPerStalledConnection, $"RSS grew {Mib(held)} for {Readers} stalled connections, over {bytesPerStalledConnection / 1024} KiB each");
            Assert.Empty(good.Failures);
            Assert.True(good.Served > 0, "the good client was never served");
            // Each reader got part of the response, never all of it, then the server's close. A sample of 20: each holds
            // what the kernel buffered for it (megabytes), and draining all 200 would be most of the test's time.
            var sample = readers.Where((_, i) => i % 10 == 0).ToList();
            int partial = 0;
            foreach (var reader in sample) partial += await DrainAsync(reader) is > 0 and < TestFiles.BigFileBytes ? 1 : 0;
            Assert.Equal(sample.Count, partial);
        }
        finally
        {
            Clients.ResetAll(readers);
        }
        string log = await server.StopCleanAsync();
        long sendTimeouts = ServeProcess.Counter(log, "send timeouts");
        output.WriteLine($"stop line: send timeouts {sendTimeouts}");
        Assert.Equal(Readers, sendTimeouts);
    }

    /// <summary>Reads what the server sent before it closed; the byte count.</summary>
    private static async Task<long> DrainAsync(Socket socket)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        long total = 0;
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0) total += n;
        }
        catch (IOException)
        {
            // The close was a reset (the server dropped output the client never took): what came before still counts.
        }
        return total;
    }

    private static async Task WarmUpHttp2Async(int port, byte[] request)
    {
        if (request[0] != (byte)'P') return;
        using var socket = await Clients.ConnectAsync(port);
        await socket.SendAsync(request, SocketFlags.None);
        // The whole response, read as fast as it comes: also the regression test of a loop that left a flush queued in
        // its flush phase waiting for the next wake-up, which stalled this very response at 512 KiB.
        var buffer = new byte[64 * 1024];
        long total = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (total < TestFiles.BigFileBytes)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0) break;
            total += n;
        }
        Assert.True(total >= TestFiles.BigFileBytes, $"the HTTP/2 response of {TestFiles.BigFileBytes} bytes stalled after {total} bytes");
        Clients.Reset(socket);
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.0} MiB");
}
