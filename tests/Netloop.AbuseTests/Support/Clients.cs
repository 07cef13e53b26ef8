using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Netloop.AbuseTests.Support;

/// <summary>Raw socket clients on 127.0.0.1: many connections at once, resets, a good client's request, and waiting for a close.</summary>
internal static class Clients
{
    public static readonly TimeSpan GoodRequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Opens <paramref name="count"/> connections, at most <paramref name="parallel"/> connects in flight.</summary>
    public static async Task<List<Socket>> ConnectManyAsync(int port, int count, int parallel = 100, int? receiveBuffer = null)
    {
        var sockets = new Socket[count];
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                sockets[i] = await ConnectAsync(port, receiveBuffer);
            }
            finally
            {
                gate.Release();
            }
        }));
        return sockets.ToList();
    }

    public static async Task<Socket> ConnectAsync(int port, int? receiveBuffer = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        // Set before connect so the window the client advertises is small from the start: a slow reader stalls sooner.
        if (receiveBuffer is int size) socket.ReceiveBufferSize = size;
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return socket;
    }

    /// <summary>Closes with RST (SO_LINGER 0): the server sees ECONNRESET, not a polite FIN.</summary>
    public static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already reset by the server: closing is all that is left.
        }
        socket.Dispose();
    }

    public static void ResetAll(IEnumerable<Socket> sockets)
    {
        foreach (var socket in sockets) Reset(socket);
    }

    /// <summary>A good client: one request on a fresh connection (Connection: close), the whole response as text.</summary>
    public static async Task<string> RequestAsync(int port, string request)
    {
        using var socket = await ConnectAsync(port);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        return await ExchangeAsync(stream, request);
    }

    /// <summary>The same over TLS (any certificate accepted: the tests make their own).</summary>
    public static async Task<string> RequestTlsAsync(int port, string request)
    {
        using var socket = await ConnectAsync(port);
        await using var tls = await HandshakeAsync(socket);
        return await ExchangeAsync(tls, request);
    }

    public static async Task<SslStream> HandshakeAsync(Socket socket)
    {
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false, IsTestCertificate);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cts.Token);
        return tls;
    }

    // The one certificate the tests' servers present: self-signed, so pinned instead of chained to a CA.
    private static bool IsTestCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        certificate is not null && certificate.GetCertHashString() == s_testCertificateHash.Value;

    private static readonly Lazy<string> s_testCertificateHash = new(() =>
    {
        using var certificate = X509Certificate2.CreateFromPemFile(TestFiles.CertificatePath, TestFiles.KeyPath);
        return certificate.GetCertHashString();
    });

    public static string Get(string path) => $"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

    private static async Task<string> ExchangeAsync(Stream stream, string request)
    {
        using var cts = new CancellationTokenSource(GoodRequestTimeout);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cts.Token);
        var response = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0) response.Write(buffer, 0, n);
        return Encoding.Latin1.GetString(response.ToArray());
    }

    /// <summary>
    /// Reads until the server closes the connection (FIN or RST); returns what it sent first, or null if it was still
    /// open at the deadline.
    /// </summary>
    public static async Task<string?> ReadUntilClosedAsync(Stream stream, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0) received.Write(buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (IOException)
        {
            // Reset by the server: closed all the same.
        }
        catch (ObjectDisposedException)
        {
        }
        return Encoding.Latin1.GetString(received.ToArray());
    }
}
