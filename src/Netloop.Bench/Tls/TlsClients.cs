using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Netloop.Bench.Tls;

/// <summary>The TLS design bench's .NET clients: echo over TLS (or plain TCP) for bulk throughput and for idle connections.</summary>
internal static class TlsClients
{
    /// <summary>A connected echo stream: TLS when <paramref name="trusted"/> (the server's certificate) is given, else plain TCP.</summary>
    public static async Task<(Socket Socket, Stream Stream)> ConnectAsync(IPEndPoint server, X509Certificate2? trusted, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (trusted is null) return (socket, stream);
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = SslProtocols.Tls13 | SslProtocols.Tls12,
                // The bench's own self-signed certificate, pinned: no chain to a CA to check.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHash().AsSpan().SequenceEqual(trusted.GetCertHash()),
            }, cancellationToken).ConfigureAwait(false);
            return (socket, ssl);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <paramref name="connections"/> connections each write 64 KiB blocks and read the echo back for
    /// <paramref name="duration"/>; returns MB/s echoed (each byte crossed the server twice: decrypted and encrypted).
    /// </summary>
    public static async Task<double> BulkEchoAsync(IPEndPoint server, X509Certificate2? trusted, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var streams = new List<(Socket Socket, Stream Stream)>();
        try
        {
            for (int i = 0; i < connections; i++) streams.Add(await ConnectAsync(server, trusted, cancellationToken).ConfigureAwait(false));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            long echoed = 0;
            var clock = Stopwatch.StartNew();
            stop.CancelAfter(duration);
            var tasks = streams.Select(s => Task.WhenAll(WriteUntil(s.Stream, stop.Token), ReadUntil(s.Stream, n => Interlocked.Add(ref echoed, n), stop.Token))).ToList();
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            double seconds = clock.Elapsed.TotalSeconds;
            return Interlocked.Read(ref echoed) / seconds / 1e6;
        }
        finally
        {
            foreach (var (socket, stream) in streams)
            {
                socket.Dispose();
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Opens <paramref name="count"/> connections, each with one byte echoed (handshake done, one record each way), and keeps them open.</summary>
    public static async Task<List<(Socket Socket, Stream Stream)>> OpenIdleAsync(IPEndPoint server, X509Certificate2? trusted, int count, CancellationToken cancellationToken)
    {
        var open = new List<(Socket, Stream)>(count);
        using var gate = new SemaphoreSlim(32);
        var tasks = Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var connection = await ConnectAsync(server, trusted, cancellationToken).ConfigureAwait(false);
                await connection.Stream.WriteAsync("x"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                var one = new byte[1];
                if (await connection.Stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) != 1) throw new IOException("no echo");
                lock (open) open.Add(connection);
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return open;
    }

    private static async Task WriteUntil(Stream stream, CancellationToken cancellationToken)
    {
        var block = new byte[64 * 1024];
        Random.Shared.NextBytes(block);
        while (!cancellationToken.IsCancellationRequested) await stream.WriteAsync(block, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ReadUntil(Stream stream, Action<int> received, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (!cancellationToken.IsCancellationRequested)
        {
            int n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n == 0) return;
            received(n);
        }
    }
}
