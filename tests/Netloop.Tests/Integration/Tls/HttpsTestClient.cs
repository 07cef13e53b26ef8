using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration.Tls;

/// <summary>
/// One HTTPS/1.1 keep-alive connection made with <see cref="SslStream"/>, the server's certificate verified against the
/// test CA and the host name: what a long-lived client holds across a certificate reload.
/// </summary>
internal sealed class HttpsTestClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SslStream _tls;
    private readonly string _host;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _buffered;

    private HttpsTestClient(Socket socket, SslStream tls, string host)
    {
        _socket = socket;
        _tls = tls;
        _host = host;
    }

    /// <summary>The certificate the server presented in this connection's handshake.</summary>
    public X509Certificate2 ServerCertificate => new(_tls.RemoteCertificate!);

    /// <summary>The serial of <see cref="ServerCertificate"/>, hex without leading zeros (as <see cref="CertificateFiles.Serial"/>).</summary>
    public string ServerSerial => ServerCertificate.SerialNumber.TrimStart('0');

    /// <param name="source">The client's source address (e.g. 127.0.0.2, to play another host); any when null.</param>
    public static async Task<HttpsTestClient> ConnectAsync(int port, string caCertificate, string host = "localhost", X509Certificate2? clientCertificate = null, IPAddress? source = null)
    {
        var server = new IPEndPoint(IPAddress.Loopback, port);
        Socket socket;
        if (source is null)
        {
            socket = await Clients.ConnectAsync(server);
        }
        else
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(server).WaitAsync(Clients.Patience);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        try
        {
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = host,
                // Always a full handshake: a resumed one shows no certificate, and .NET would report the cached one
                // (tickets outlive a certificate reload: the ticket keys are the process's, not the certificate's).
                AllowTlsResume = false,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                    CustomTrustStore = { X509CertificateLoader.LoadCertificateFromFile(caCertificate) },
                },
            };
            if (clientCertificate is not null) options.ClientCertificates = [clientCertificate];
            using var timeout = new CancellationTokenSource(Clients.Patience);
            await tls.AuthenticateAsClientAsync(options, timeout.Token);
            return new HttpsTestClient(socket, tls, host);
        }
        catch
        {
            await tls.DisposeAsync();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>GET <paramref name="path"/> on this connection (kept alive) and return the status code and body.</summary>
    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        var (status, _, body) = await GetWithHeadAsync(path);
        return (status, body);
    }

    /// <summary>As <see cref="GetAsync"/>, with the response head (status line and fields, without the blank line).</summary>
    public async Task<(int Status, string Head, string Body)> GetWithHeadAsync(string path)
    {
        using var timeout = new CancellationTokenSource(Clients.Patience);
        await _tls.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {_host}\r\n\r\n"), timeout.Token);
        int headEnd;
        while ((headEnd = HeadEnd()) < 0) await FillAsync(timeout.Token);
        string head = Encoding.Latin1.GetString(_buffer, 0, headEnd);
        int status = int.Parse(head.Split(' ', 3)[1], CultureInfo.InvariantCulture);
        string? length = AppHarness.Header(head + "\r\n\r\n", "Content-Length");
        Assert.True(length is not null, "no Content-Length in:\n" + head);
        int bodyStart = headEnd + 4;
        int total = bodyStart + int.Parse(length, CultureInfo.InvariantCulture);
        Assert.True(total <= _buffer.Length, $"response of {total} bytes is larger than the test client's buffer");
        while (_buffered < total) await FillAsync(timeout.Token);
        string body = Encoding.UTF8.GetString(_buffer, bodyStart, total - bodyStart);
        Buffer.BlockCopy(_buffer, total, _buffer, 0, _buffered - total);
        _buffered -= total;
        return (status, head, body);
    }

    private int HeadEnd() => _buffer.AsSpan(0, _buffered).IndexOf("\r\n\r\n"u8);

    private async Task FillAsync(CancellationToken cancellation)
    {
        int n = await _tls.ReadAsync(_buffer.AsMemory(_buffered), cancellation);
        if (n == 0) throw new IOException("the server closed the connection");
        _buffered += n;
    }

    public async ValueTask DisposeAsync()
    {
        await _tls.DisposeAsync();
        _socket.Dispose();
    }
}
