using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Netloop.Tests.Integration.Http2;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Tls;

/// <summary>
/// <c>openssl s_client</c> against <c>netloop serve --protocol http</c> over TLS: the versions it accepts and refuses,
/// ALPN, the certificate SNI picks (read from the PEM s_client prints), session resumption, and PKCS#12.
/// </summary>
public sealed partial class OpenSslClientTests(HttpsDemoServer demo, ITestOutputHelper output) : IClassFixture<HttpsDemoServer>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private static readonly byte[] s_closingRequest = Encoding.ASCII.GetBytes("GET /connection HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

    [Theory]
    [InlineData("-tls1_3", "TLSv1.3", "h2", "ALPN protocol: h2")]
    [InlineData("-tls1_3", "TLSv1.3", "http/1.1", "ALPN protocol: http/1.1")]
    [InlineData("-tls1_3", "TLSv1.3", null, "No ALPN negotiated")]
    [InlineData("-tls1_3", "TLSv1.3", "h2,http/1.1", "ALPN protocol: h2")]
    [InlineData("-tls1_3", "TLSv1.3", "http/1.1,h2", "ALPN protocol: h2")]
    [InlineData("-tls1_2", "TLSv1.2", "h2", "ALPN protocol: h2")]
    [InlineData("-tls1_2", "TLSv1.2", "http/1.1", "ALPN protocol: http/1.1")]
    [InlineData("-tls1_2", "TLSv1.2", null, "No ALPN negotiated")]
    public async Task S_client_negotiates_the_version_and_alpn_and_verifies_the_certificate(string versionSwitch, string version, string? alpn, string alpnLine)
    {
        string[] alpnArgs = alpn is null ? [] : ["-alpn", alpn];
        // An HTTP/1.1 request when HTTP/1.1 was chosen (the server then closes, which ends s_client); with h2, end of input ends it.
        bool http1 = alpnLine != "ALPN protocol: h2";

        var run = await SClientAsync([versionSwitch, "-servername", "localhost", .. alpnArgs, .. (http1 ? ["-ign_eof"] : Array.Empty<string>())], http1 ? s_closingRequest : []);

        string text = run.StdOutText;
        Assert.Contains($"New, {version}, Cipher is ", text, StringComparison.Ordinal);
        Assert.Contains(alpnLine + "\n", text, StringComparison.Ordinal);
        Assert.Contains("Verify return code: 0 (ok)", text, StringComparison.Ordinal);
        if (http1) Assert.Contains($"scheme=https protocol=HTTP/1.1 tls={version} sni=localhost client=none", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-tls1")]
    [InlineData("-tls1_1")]
    public async Task S_client_with_an_old_version_is_refused_with_a_protocol_version_alert(string versionSwitch)
    {
        // SECLEVEL=0: without it OpenSSL 3 refuses TLS 1.0/1.1 itself and nothing reaches the server.
        var run = await SClientAsync([versionSwitch, "-cipher", "DEFAULT@SECLEVEL=0"], [], expectSuccess: false);

        Assert.True(run.ExitCode != 0, run.Describe());
        Assert.Contains("New, (NONE), Cipher is (NONE)", run.StdOutText, StringComparison.Ordinal);
        Assert.Contains("alert protocol version", run.StdErr, StringComparison.Ordinal);
        Assert.Matches(@"SSL handshake has read \d+ bytes and written [1-9]\d* bytes", run.StdOutText);
    }

    [Theory]
    [InlineData("a.test", "a.test")]
    [InlineData("b.test", "b.test")]
    [InlineData("localhost", "localhost")]
    [InlineData("unknown.test", "localhost")]
    public async Task Sni_picks_the_certificate_for_the_name_and_the_default_for_an_unknown_one(string serverName, string expectedName)
    {
        var certificates = demo.Certificates;
        var expected = expectedName switch
        {
            "a.test" => certificates.HostA,
            "b.test" => certificates.HostB,
            _ => certificates.LocalhostEcdsa,
        };

        var run = await SClientAsync(["-servername", serverName, "-verify_hostname", expectedName], []);

        Assert.Contains($"subject=CN = {expectedName}\n", run.StdOutText, StringComparison.Ordinal);
        Assert.Contains("Verify return code: 0 (ok)", run.StdOutText, StringComparison.Ordinal);
        Assert.Equal(expected.Serial, ServedCertificate(run).SerialNumber.TrimStart('0'), ignoreCase: true);
    }

    [Fact]
    public async Task S_client_without_sni_gets_the_default_certificate()
    {
        var run = await SClientAsync(["-noservername"], []);

        Assert.Contains("subject=CN = localhost\n", run.StdOutText, StringComparison.Ordinal);
        Assert.Equal(demo.Certificates.LocalhostEcdsa.Serial, ServedCertificate(run).SerialNumber.TrimStart('0'), ignoreCase: true);
    }

    [Theory]
    [InlineData("-tls1_3", "TLSv1.3")]
    [InlineData("-tls1_2", "TLSv1.2")]
    public async Task A_saved_session_is_resumed_and_reported_as_reused(string versionSwitch, string version)
    {
        string session = Path.Combine(demo.Certificates.NewScratchDirectory(), "session.pem");

        // The request's answer comes after the TLS 1.3 tickets, and the server closes after it: the ticket is in
        // -sess_out by the time s_client exits, with no wait.
        var first = await SClientAsync([versionSwitch, "-servername", "localhost", "-sess_out", session, "-ign_eof"], s_closingRequest);
        var second = await SClientAsync([versionSwitch, "-servername", "localhost", "-sess_in", session, "-ign_eof"], s_closingRequest);

        Assert.Contains($"New, {version}, Cipher is ", first.StdOutText, StringComparison.Ordinal);
        Assert.True(File.Exists(session), first.Describe());
        Assert.Contains($"Reused, {version}, Cipher is ", second.StdOutText, StringComparison.Ordinal);
        Assert.Contains($"scheme=https protocol=HTTP/1.1 tls={version} sni=localhost client=none", second.StdOutText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pkcs12_file_with_its_password_serves_its_certificate()
    {
        var certificates = demo.Certificates;
        await using var server = await TlsServe.StartAsync(output, ["--tls-cert", certificates.Pkcs12, "--tls-password", TestCertificates.Pkcs12Password]);

        var run = await SClientAsync(["-servername", "localhost", "-ign_eof"], s_closingRequest, address: server.Address);

        Assert.Contains("Verify return code: 0 (ok)", run.StdOutText, StringComparison.Ordinal);
        Assert.Equal(certificates.LocalhostEcdsa.Serial, ServedCertificate(run).SerialNumber.TrimStart('0'), ignoreCase: true);
        Assert.Contains("scheme=https protocol=HTTP/1.1 tls=TLSv1.3 sni=localhost client=none", run.StdOutText, StringComparison.Ordinal);
        TlsServe.AssertNoStackTrace(await server.StopAsync());
    }

    [Theory]
    [InlineData("-tls1_3", "TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384")]
    [InlineData("-tls1_2", "TLSv1.2, Cipher is ECDHE-RSA-AES256-GCM-SHA384")]
    public async Task An_rsa_certificate_is_served_with_ecdhe_key_exchange(string versionSwitch, string negotiated)
    {
        var certificates = demo.Certificates;
        await using var server = await TlsServe.StartAsync(output, certificates.LocalhostRsa);

        var run = await SClientAsync([versionSwitch, "-servername", "localhost", "-ign_eof"], s_closingRequest, address: server.Address);

        Assert.Contains("New, " + negotiated, run.StdOutText, StringComparison.Ordinal);
        Assert.Contains("Server public key is 2048 bit", run.StdOutText, StringComparison.Ordinal);
        Assert.Contains("Verify return code: 0 (ok)", run.StdOutText, StringComparison.Ordinal);
        Assert.Equal(certificates.LocalhostRsa.Serial, ServedCertificate(run).SerialNumber.TrimStart('0'), ignoreCase: true);
        await server.StopAsync();
    }

    private async Task<Http2ToolRun> SClientAsync(string[] args, byte[] stdin, bool expectSuccess = true, string? address = null)
    {
        var run = await Http2Tools.RunAsync(output, "openssl",
            ["s_client", "-connect", address ?? demo.Server.Address, "-CAfile", demo.Certificates.CaCertificate, .. args], s_wait, stdin: stdin);
        if (expectSuccess) Assert.True(run.ExitCode == 0, run.Describe());
        return run;
    }

    /// <summary>The leaf certificate s_client printed (it prints the server's first certificate as PEM).</summary>
    private static X509Certificate2 ServedCertificate(Http2ToolRun run)
    {
        var pem = Pem().Match(run.StdOutText);
        Assert.True(pem.Success, "s_client printed no certificate:\n" + run.Describe());
        return X509Certificate2.CreateFromPem(pem.Value);
    }

    [GeneratedRegex("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----")]
    private static partial Regex Pem();
}
