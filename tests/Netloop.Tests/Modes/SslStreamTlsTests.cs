using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Netloop.Baselines;
using Netloop.Baselines.Tls;
using Netloop.Protocols.Echo;
using Netloop.Protocols.Http1;
using Netloop.Tests.Support;

namespace Netloop.Tests.Modes;

/// <summary>
/// TLS candidate (A) of P8, SslStream on the loop thread, over real sockets with real clients (.NET SslStream, curl),
/// a certificate made by the openssl CLI for the test: right answers, the right ALPN protocol, a clean shutdown audit.
/// </summary>
public sealed class SslStreamTlsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netloop-sslstream-").FullName;
    private readonly string _certificate;
    private readonly string _key;

    public SslStreamTlsTests()
    {
        _certificate = Path.Combine(_directory, "cert.pem");
        _key = Path.Combine(_directory, "key.pem");
        var (exit, _, error) = Run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", _key, "-out", _certificate);
        Assert.True(exit == 0, error);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Echo_over_TLS_returns_every_byte_closes_on_close_notify_and_leaves_nothing_behind()
    {
        var tls = SslStreamProtocolFactory.FromPemFiles(EchoProtocol.Instance, _certificate, _key);
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: tls);
        var payload = new byte[200_000];
        Random.Shared.NextBytes(payload);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint);
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
        using var trusted = X509CertificateLoader.LoadCertificateFromFile(_certificate);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHash().AsSpan().SequenceEqual(trusted.GetCertHash()),
        }).WaitAsync(Clients.Patience);

        var writing = ssl.WriteAsync(payload).AsTask();
        var echoed = new MemoryStream();
        var buffer = new byte[16384];
        while (echoed.Length < payload.Length)
        {
            int n = await ssl.ReadAsync(buffer).AsTask().WaitAsync(Clients.Patience);
            Assert.NotEqual(0, n);
            echoed.Write(buffer, 0, n);
        }
        await writing;
        Assert.Equal(payload, echoed.ToArray());

        // close_notify ends the echo's input: it closes, sending its own close_notify, so the client reads the end.
        await ssl.ShutdownAsync();
        Assert.Equal(0, await ssl.ReadAsync(buffer).AsTask().WaitAsync(Clients.Patience));

        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().Active == 0, Clients.Patience));
        Assert.Equal(1, tls.Handshakes);
        // The audit counts the process's sockets, the client's too.
        await ssl.DisposeAsync();
        socket.Dispose();
        await server.Server.StopAsync();
        var audit = server.Server.Audit();
        Assert.True(audit.IsClean, audit.Verdict);
        Assert.Empty(server.Logs.Errors);
    }

    [Theory]
    [InlineData("--http1.1", "1.1")]
    [InlineData("--http2", "2")]
    public async Task Curl_gets_the_answer_over_the_ALPN_chosen_protocol(string curlVersion, string expectedVersion)
    {
        var http = new HttpProtocolFactory(static ctx =>
        {
            ctx.Response.Write("Hello over TLS"u8);
            return ValueTask.CompletedTask;
        });
        var tls = SslStreamProtocolFactory.FromPemFiles(http, _certificate, _key);
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: tls);

        string url = $"https://localhost:{server.EndPoint.Port}/";
        var (exit, output, error) = Run("curl", "-sS", "--max-time", "20", curlVersion, "--cacert", _certificate, "--resolve", $"localhost:{server.EndPoint.Port}:127.0.0.1",
            "-w", "\n%{http_version} %{http_code}", url, url);

        Assert.True(exit == 0, error);
        Assert.Equal($"Hello over TLS\n{expectedVersion} 200Hello over TLS\n{expectedVersion} 200", output);
        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().Active == 0, Clients.Patience));
        await server.Server.StopAsync();
        var audit = server.Server.Audit();
        Assert.True(audit.IsClean, audit.Verdict);
        Assert.Empty(server.Logs.Errors);
    }

    [Fact]
    public async Task A_client_that_never_starts_the_handshake_is_closed_at_the_handshake_timeout()
    {
        var tls = new SslStreamProtocolFactory(EchoProtocol.Instance, X509Certificate2.CreateFromPemFile(_certificate, _key), handshakeTimeout: TimeSpan.FromMilliseconds(200));
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: tls);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint);
        var buffer = new byte[16];
        int n;
        try
        {
            n = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Clients.Patience);
        }
        catch (SocketException)
        {
            n = 0; // closed with a reset: as good an end
        }

        Assert.Equal(0, n);
        Assert.Equal(1, tls.FailedHandshakes);
        socket.Dispose();
        await server.Server.StopAsync();
        Assert.True(server.Server.Audit().IsClean, server.Server.Audit().Verdict);
    }

    private static (int Exit, string Output, string Error) Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"{file} did not finish");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}
