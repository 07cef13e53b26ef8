using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Netloop.Tests.Integration.Tls;

/// <summary>ClientHello records for the bad-input tests: a real one (what <see cref="SslStream"/> sends) and hand-made old-version ones.</summary>
internal static class ClientHellos
{
    /// <summary>The first record a .NET TLS client sends (a TLS 1.3-capable ClientHello), captured on a local listener.</summary>
    public static async Task<byte[]> CaptureAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = await listener.AcceptSocketAsync();
        using var tls = new SslStream(client.GetStream());
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, stop.Token);
        var record = new byte[5];
        await ReadExactlyAsync(accepted, record, stop.Token);
        Assert.Equal(0x16, record[0]);
        var hello = new byte[5 + (record[3] << 8 | record[4])];
        record.CopyTo(hello, 0);
        await ReadExactlyAsync(accepted, hello.AsMemory(5), stop.Token);
        accepted.Close();
        await stop.CancelAsync();
        try
        {
            await handshake;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            // The listener hung up on purpose: only the ClientHello was wanted.
        }
        return hello;
    }

    /// <summary>
    /// A minimal ClientHello offering only SSL 3.0 (<paramref name="minor"/> 0) or TLS 1.0 (1): the record and
    /// client_version say so, two CBC suites of that era, no extensions (so no supported_versions either).
    /// </summary>
    public static byte[] OldVersion(byte minor)
    {
        byte[] body =
        [
            3, minor, .. new byte[32], // client_version, random
            0, // no session id
            0, 4, 0x00, 0x2F, 0x00, 0x0A, // TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA
            1, 0, // null compression only
        ];
        byte[] handshake = [1, 0, (byte)(body.Length >> 8), (byte)body.Length, .. body];
        return [0x16, 3, minor, (byte)(handshake.Length >> 8), (byte)handshake.Length, .. handshake];
    }

    private static async Task ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellation)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancellation);
            if (n == 0) throw new IOException("the client closed before its ClientHello was complete");
            read += n;
        }
    }
}
