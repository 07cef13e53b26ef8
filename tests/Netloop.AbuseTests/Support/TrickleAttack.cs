using System.Diagnostics;
using System.Text;

namespace Netloop.AbuseTests.Support;

/// <summary>What one trickling attacker saw: what the server sent before closing, and when it closed (null: still open at the deadline).</summary>
internal readonly record struct AttackerOutcome(string? Received, TimeSpan ClosedAfter);

/// <summary>
/// Slowloris and slow POST: each attacker sends a start, then a few bytes every <c>interval</c>, for ever, while reading
/// whatever the server answers, until the server closes the connection or the deadline passes.
/// </summary>
internal static class TrickleAttack
{
    public static async Task<AttackerOutcome[]> RunAsync(int port, int attackers, bool tls, string start, Func<int, string> trickle, TimeSpan interval, TimeSpan deadline, Action? onAllConnected = null)
    {
        var clock = Stopwatch.StartNew();
        // Connect (and handshake) first, so every attacker's clock starts together and the good client meets them all.
        var sockets = await Clients.ConnectManyAsync(port, attackers);
        var streams = new Stream[attackers];
        using var gate = new SemaphoreSlim(tls ? 16 : 100);
        await Task.WhenAll(Enumerable.Range(0, attackers).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                streams[i] = tls ? await Clients.HandshakeAsync(sockets[i]) : new System.Net.Sockets.NetworkStream(sockets[i], ownsSocket: false);
            }
            finally
            {
                gate.Release();
            }
        }));
        onAllConnected?.Invoke();
        try
        {
            return await Task.WhenAll(streams.Select(stream => AttackAsync(stream, start, trickle, interval, deadline)));
        }
        finally
        {
            foreach (var stream in streams) await stream.DisposeAsync();
            Clients.ResetAll(sockets);
        }
    }

    private static async Task<AttackerOutcome> AttackAsync(Stream stream, string start, Func<int, string> trickle, TimeSpan interval, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        var read = Clients.ReadUntilClosedAsync(stream, deadline);
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(start));
            for (int i = 0; !read.IsCompleted; i++)
            {
                await Task.WhenAny(read, Task.Delay(interval));
                if (read.IsCompleted) break;
                await stream.WriteAsync(Encoding.ASCII.GetBytes(trickle(i)));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The server closed the connection under a write: the read sees it too.
        }
        string? received = await read;
        return new AttackerOutcome(received, clock.Elapsed);
    }
}
