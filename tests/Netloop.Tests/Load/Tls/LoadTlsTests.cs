using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Netloop.Baselines;
using Netloop.Load.Results;
using Netloop.Load.Runner;
using Netloop.Load.Targets;
using Netloop.Protocols.Http1;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Load.Tls;

/// <summary>
/// <c>netloop load</c> against the in-process server over TLS (https:// and h2s://): answers with no error, verification
/// that fails with one clear line, and resumed handshakes that the server counts as resumed. Runs are bounded by request
/// counts; the one idle run holds for a fixed time but asserts nothing about time.
/// </summary>
public sealed partial class LoadTlsTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly TestCertificate _certificate = TestCertificate.Create();

    public void Dispose() => _certificate.Dispose();

    private static HttpProtocolFactory App() => new(context =>
    {
        context.Response.WriteText(context.Request.IsHttps ? "Hello, World!" : "not over TLS");
        return ValueTask.CompletedTask;
    });

    private TestServer StartServer(TestCertificate? certificate = null) => TestServer.Start(ServerMode.Epoll, options => options.Tls = new TlsOptions
    {
        CertificatePath = (certificate ?? _certificate).CertificatePath,
        KeyPath = (certificate ?? _certificate).KeyPath,
        ReloadOnFileChange = false,
    }, App());

    private static LoadOptions Https(IPEndPoint endPoint, string host = "127.0.0.1") => new()
    {
        Target = LoadTarget.Parse($"https://{host}:{endPoint.Port}/plaintext"),
        Connections = 8,
        Duration = null,
        Requests = 2000,
        Insecure = true,
    };

    private static async Task<LoadResult> RunAsync(LoadOptions options)
    {
        var runner = new LoadRunner(options);
        var result = await runner.RunAsync().WaitAsync(Bound);
        Assert.Equal(0, runner.ClientBuffersOutstanding);
        Assert.True(result.Errors.Total == 0, $"errors: {result.Errors}");
        return result;
    }

    /// <summary>The server's counters from the <c>TLS:</c> line it logs at stop.</summary>
    private static (long Handshakes, long Resumed) ServerTlsCounters(TestServer server)
    {
        string line = Assert.Single(server.Logs.Entries, e => e.Message.StartsWith("TLS: ", StringComparison.Ordinal)).Message;
        var match = TlsLine().Match(line);
        Assert.True(match.Success, line);
        return (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"handshakes=(\d+) resumed=(\d+)")]
    private static partial Regex TlsLine();

    [Fact]
    public async Task Https_keep_alive_with_insecure_gets_every_answer_on_one_handshake_per_connection()
    {
        var server = StartServer();
        LoadResult result;
        await using (server)
        {
            result = await RunAsync(Https(server.Server.TlsEndPoint!));
        }

        Assert.Equal("https", result.Protocol);
        Assert.Equal(2000, result.Requests);
        Assert.Equal(8, result.ConnectionsOpened);
        Assert.Equal(8, result.TlsHandshakes);
        Assert.Equal(0, result.TlsResumedHandshakes);
        Assert.Equal((8L, 0L), ServerTlsCounters(server));
    }

    [Fact]
    public async Task Https_with_the_ca_file_verifies_the_certificate_for_a_name_and_for_an_address()
    {
        await using var server = StartServer();
        var endPoint = server.Server.TlsEndPoint!;

        foreach (string host in (string[])["localhost", "127.0.0.1"])
        {
            var result = await RunAsync(Https(endPoint, host) with { Insecure = false, CaCertificatePath = _certificate.CertificatePath, Requests = 200 });
            Assert.Equal(200, result.Requests);
        }
    }

    [Fact]
    public async Task Verification_without_the_ca_fails_at_once_with_one_line_naming_the_cause_and_the_fix()
    {
        await using var server = StartServer();
        var endPoint = server.Server.TlsEndPoint!;
        var runner = new LoadRunner(Https(endPoint) with { Insecure = false, Duration = TimeSpan.FromMinutes(10), Requests = 0 });

        var e = await Assert.ThrowsAsync<LoadException>(() => runner.RunAsync().WaitAsync(Bound));

        Assert.StartsWith($"TLS handshake with {endPoint} failed: the server's certificate was not accepted: self-signed certificate", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("(a self-signed certificate needs --cacert FILE or --insecure)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(0, runner.ClientBuffersOutstanding);
    }

    [Fact]
    public async Task A_certificate_for_another_name_or_address_is_refused_even_from_a_trusted_ca()
    {
        using var elsewhere = TestCertificate.Create("DNS:elsewhere.example,IP:192.0.2.1");
        await using var server = StartServer(elsewhere);
        int port = server.Server.TlsEndPoint!.Port;

        foreach (var (host, mismatch) in new[] { ("127.0.0.1", "IP address mismatch"), ("localhost", "hostname mismatch") })
        {
            var runner = new LoadRunner(new LoadOptions
            {
                Target = LoadTarget.Parse($"https://{host}:{port}/plaintext"),
                Connections = 1,
                Duration = TimeSpan.FromMinutes(10),
                CaCertificatePath = elsewhere.CertificatePath,
            });

            var e = await Assert.ThrowsAsync<LoadException>(() => runner.RunAsync().WaitAsync(Bound));

            Assert.Contains($"the server's certificate was not accepted: {mismatch}", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task One_request_per_connection_makes_a_full_handshake_each_and_tls_resume_resumes_them()
    {
        var server = StartServer();
        LoadResult full;
        LoadResult resumed;
        await using (server)
        {
            var options = Https(server.Server.TlsEndPoint!) with { Connections = 2, Requests = 100, RequestsPerConnection = 1 };
            full = await RunAsync(options);
            resumed = await RunAsync(options with { TlsResume = true });
        }

        Assert.Equal(100, full.Requests);
        Assert.True(full.TlsHandshakes >= 100, $"{full.TlsHandshakes} handshakes");
        Assert.Equal(0, full.TlsResumedHandshakes);
        Assert.Equal(100, resumed.Requests);
        // Only the first connection of each loop has no session to resume (and one opened beside it, before any came back).
        Assert.True(resumed.TlsResumedHandshakes >= resumed.TlsHandshakes - 2, $"{resumed.TlsResumedHandshakes} of {resumed.TlsHandshakes} resumed");
        var (handshakes, serverResumed) = ServerTlsCounters(server);
        Assert.Equal(full.TlsHandshakes + resumed.TlsHandshakes, handshakes);
        Assert.Equal(resumed.TlsResumedHandshakes, serverResumed);
    }

    [Fact]
    public async Task H2s_idle_connections_negotiate_h2_end_their_settings_exchange_and_are_held()
    {
        var server = StartServer();
        LoadResult result;
        await using (server)
        {
            result = await RunAsync(new LoadOptions
            {
                Target = LoadTarget.Parse($"h2s://127.0.0.1:{server.Server.TlsEndPoint!.Port}"),
                Connections = 20,
                Duration = TimeSpan.FromSeconds(1),
                Idle = true,
                Insecure = true,
            });
        }

        Assert.Equal("h2s", result.Protocol);
        Assert.Equal(20, result.Requests);
        Assert.Equal(20, result.ConnectionsOpenAtEnd);
        Assert.Equal(0, result.ConnectionsClosedByServer);
        Assert.Equal(20, result.TlsHandshakes);
    }

    [Fact]
    public void Tls_options_need_a_tls_target_and_a_ca_file_that_exists()
    {
        var http = new LoadOptions { Target = LoadTarget.Parse("http://127.0.0.1:8080/") };
        var https = new LoadOptions { Target = LoadTarget.Parse("https://127.0.0.1:8443/") };

        Assert.Contains("--insecure applies to https://", Assert.Throws<ArgumentException>(() => (http with { Insecure = true }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("--cacert applies to https://", Assert.Throws<ArgumentException>(() => (http with { CaCertificatePath = _certificate.CertificatePath }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("--tls-resume applies to https://", Assert.Throws<ArgumentException>(() => (http with { TlsResume = true }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("file not found", Assert.Throws<ArgumentException>(() => (https with { CaCertificatePath = "/nonexistent/ca.pem" }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("do not go together", Assert.Throws<ArgumentException>(() => (https with { Insecure = true, CaCertificatePath = _certificate.CertificatePath }).Validate()).Message, StringComparison.Ordinal);
        (https with { Insecure = true, TlsResume = true }).Validate();
    }
}
