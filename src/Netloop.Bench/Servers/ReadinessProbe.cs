using System.Net;
using System.Net.Sockets;
using System.Text;
using Netloop.Bench.Cases;

namespace Netloop.Bench.Servers;

/// <summary>
/// Asks a just-started server whether it serves yet: an echo server must echo a line back; an HTTP server must answer
/// <c>GET /plaintext</c> with 200 (so a peer missing the endpoint fails here, not as a million bad statuses), over
/// HTTP/2 by prior knowledge for the HTTP/2 cases (see <see cref="Http2Probe"/>).
/// </summary>
internal static class ReadinessProbe
{
    private static readonly TimeSpan s_attemptTimeout = TimeSpan.FromSeconds(2);

    /// <summary>One attempt; null when the server answered as it should, else what went wrong.</summary>
    public static async Task<string?> TryAsync(int port, LoadProtocol protocol, CancellationToken cancellationToken, bool tls = false)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(s_attemptTimeout);
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), attempt.Token).ConfigureAwait(false);
            if (tls) return await HttpsAsync(socket, attempt.Token).ConfigureAwait(false);
            return protocol switch
            {
                LoadProtocol.Echo => await EchoAsync(socket, attempt.Token).ConfigureAwait(false),
                LoadProtocol.Http2 => await Http2Probe.GetAsync(socket, "/plaintext", $"127.0.0.1:{port}", 1, attempt.Token).ConfigureAwait(false),
                _ => await HttpAsync(socket, attempt.Token).ConfigureAwait(false),
            };
        }
        catch (SocketException e)
        {
            return $"port {port}: {e.SocketErrorCode}";
        }
        catch (Exception e) when (tls && e is IOException or System.Security.Authentication.AuthenticationException)
        {
            return $"port {port}: TLS: {e.Message}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"port {port}: no answer within {s_attemptTimeout.TotalSeconds:0} s";
        }
    }

    private static async Task<string?> EchoAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[] message = "netloop bench probe\n"u8.ToArray();
        await socket.SendAsync(message, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        byte[] received = new byte[message.Length];
        int total = 0;
        while (total < received.Length)
        {
            int n = await socket.ReceiveAsync(received.AsMemory(total), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0) return "the echo probe connection was closed before the echo came back";
            total += n;
        }
        return received.AsSpan().SequenceEqual(message) ? null : "the echo probe came back altered";
    }

    // A TLS server is ready when GET /plaintext over HTTP/1.1 (ALPN http/1.1, any certificate: the run's own) answers 200.
    private static async Task<string?> HttpsAsync(Socket socket, CancellationToken cancellationToken)
    {
        await using var stream = new System.Net.Security.SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        await stream.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [System.Net.Security.SslApplicationProtocol.Http11],
#pragma warning disable CA5359 // the run's own self-signed certificate, made minutes ago: readiness, not trust, is probed
            RemoteCertificateValidationCallback = static (_, _, _, _) => true,
#pragma warning restore CA5359
        }, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync("GET /plaintext HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        byte[] buffer = new byte[1024];
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
            if (buffer.AsSpan(0, total).IndexOf("\r\n"u8) >= 0) break;
        }
        string head = Encoding.Latin1.GetString(buffer, 0, total);
        int end = head.IndexOf('\r', StringComparison.Ordinal);
        string statusLine = end < 0 ? head : head[..end];
        if (statusLine.StartsWith("HTTP/1.1 200", StringComparison.Ordinal)) return null;
        return statusLine.Length == 0 ? "GET /plaintext over TLS got no answer" : $"GET /plaintext over TLS answered '{statusLine}'";
    }

    private static async Task<string?> HttpAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[] request = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"u8.ToArray();
        await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        byte[] buffer = new byte[1024];
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
            if (buffer.AsSpan(0, total).IndexOf("\r\n"u8) >= 0) break;
        }
        string head = Encoding.Latin1.GetString(buffer, 0, total);
        int end = head.IndexOf('\r', StringComparison.Ordinal);
        string statusLine = end < 0 ? head : head[..end];
        if (statusLine.StartsWith("HTTP/1.1 200", StringComparison.Ordinal)) return null;
        return statusLine.Length == 0 ? "GET /plaintext got no answer" : $"GET /plaintext answered '{statusLine}'";
    }
}
