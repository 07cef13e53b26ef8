using System.Text;
using Netloop.Tests.Integration.Http2;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Tls;

/// <summary>
/// <c>--tls-client-ca</c>: with <c>require</c> (the default) a client must present a certificate from that CA and the
/// handler sees its subject; with <c>request</c> a client without one is served too.
/// </summary>
public sealed class ClientCertificateTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    private readonly TestCertificates _certificates = TestCertificates.Shared;

    [Theory]
    [InlineData("--http1.1", "HTTP/1.1")]
    [InlineData("--http2", "HTTP/2")]
    public async Task A_required_client_certificate_from_the_ca_is_accepted_and_the_handler_sees_its_subject(string version, string protocol)
    {
        await using var server = await TlsServe.StartAsync(output, _certificates.LocalhostEcdsa, "--tls-client-ca", _certificates.ClientCaCertificate);

        var run = await CurlAsync(server, version, ["--cert", _certificates.Client.Certificate, "--key", _certificates.Client.Key]);

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Equal($"scheme=https protocol={protocol} tls=TLSv1.3 sni=localhost client={TestCertificates.ClientSubject}\n", run.StdOutText);
        await server.StopAsync();
    }

    [Fact]
    public async Task Without_a_client_certificate_the_handshake_is_refused_when_one_is_required()
    {
        await using var server = await TlsServe.StartAsync(output, _certificates.LocalhostEcdsa, "--tls-client-ca", _certificates.ClientCaCertificate, "--tls-client-cert", "require");

        var curl = await CurlAsync(server, "--http1.1", []);
        var sClient = await Http2Tools.RunAsync(output, "openssl",
            ["s_client", "-connect", server.Address, "-CAfile", _certificates.CaCertificate, "-servername", "localhost", "-ign_eof"], s_wait,
            stdin: Encoding.ASCII.GetBytes("GET /connection HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));

        Assert.True(curl.ExitCode != 0, curl.Describe());
        Assert.DoesNotContain("scheme=", curl.StdOutText, StringComparison.Ordinal);
        Assert.DoesNotContain("scheme=", sClient.StdOutText, StringComparison.Ordinal);
        // TLS 1.3: the client sends Finished before the server checks its (empty) certificate, so the refusal is an alert after it.
        Assert.Contains("alert certificate required", sClient.StdErr, StringComparison.Ordinal);
        var counters = TlsServe.TlsStopCounters(await server.StopAsync());
        Assert.Equal(0, counters["handshakes"]);
        Assert.Equal(2, counters["failed"]);
    }

    [Fact]
    public async Task A_client_certificate_from_another_ca_is_refused()
    {
        await using var server = await TlsServe.StartAsync(output, _certificates.LocalhostEcdsa, "--tls-client-ca", _certificates.ClientCaCertificate);

        // a.test's certificate is real, but its issuer is the server CA, not the client CA.
        var run = await CurlAsync(server, "--http1.1", ["--cert", _certificates.HostA.Certificate, "--key", _certificates.HostA.Key]);

        Assert.True(run.ExitCode != 0, run.Describe());
        Assert.DoesNotContain("scheme=", run.StdOutText, StringComparison.Ordinal);
        await server.StopAsync();
    }

    [Fact]
    public async Task A_requested_client_certificate_is_optional()
    {
        await using var server = await TlsServe.StartAsync(output, _certificates.LocalhostEcdsa, "--tls-client-ca", _certificates.ClientCaCertificate, "--tls-client-cert", "request");

        var without = await CurlAsync(server, "--http2", []);
        var with = await CurlAsync(server, "--http2", ["--cert", _certificates.Client.Certificate, "--key", _certificates.Client.Key]);

        Assert.True(without.ExitCode == 0, without.Describe());
        Assert.Equal("scheme=https protocol=HTTP/2 tls=TLSv1.3 sni=localhost client=none\n", without.StdOutText);
        Assert.True(with.ExitCode == 0, with.Describe());
        Assert.Equal($"scheme=https protocol=HTTP/2 tls=TLSv1.3 sni=localhost client={TestCertificates.ClientSubject}\n", with.StdOutText);
        await server.StopAsync();
    }

    private async Task<Http2ToolRun> CurlAsync(TlsServe server, string version, string[] args) =>
        await Http2Tools.RunAsync(output, "curl",
            ["-sS", version, "--cacert", _certificates.CaCertificate, "--max-time", "30", .. server.CurlResolve(), .. args, server.LocalhostUrl("/connection")], s_wait);
}
