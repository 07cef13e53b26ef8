using System.Text.RegularExpressions;
using Netloop.Server;
using Netloop.Tests.Integration.Http;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Tls;

/// <summary>
/// Certificate reload without a restart: on SIGHUP and on a change of the files (<c>netloop serve</c>), and by
/// <see cref="NetloopServer.ReloadCertificates"/> in process. A keep-alive connection made before keeps working (with
/// the certificate it shook hands with); a new connection gets the new certificate; a corrupt file is logged in one line
/// and the certificate in use stays.
/// </summary>
public sealed partial class TlsReloadTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private readonly TestCertificates _certificates = TestCertificates.Shared;

    [Fact]
    public async Task Sighup_reload_keeps_the_open_connection_and_gives_new_connections_the_new_certificate()
    {
        var files = ServedFiles(_certificates.LocalhostEcdsa);
        await using var server = await TlsServe.StartAsync(output, files);
        await using var longLived = await ConnectAsync(server);
        Assert.Equal((200, "Hello, World!"), await longLived.GetAsync("/plaintext"));

        Install(_certificates.LocalhostNext, files);
        server.Process.Signal(SIGHUP);
        await server.Process.WaitForLineAsync(Reloaded("SIGHUP"), s_wait);

        Assert.Equal((200, "Hello, World!"), await longLived.GetAsync("/plaintext"));
        Assert.Equal(_certificates.LocalhostEcdsa.Serial, longLived.ServerSerial);
        await using (var fresh = await ConnectAsync(server))
        {
            Assert.Equal(_certificates.LocalhostNext.Serial, fresh.ServerSerial);
            Assert.Equal((200, "Hello, World!"), await fresh.GetAsync("/plaintext"));
        }
        Assert.Equal((200, "Hello, World!"), await longLived.GetAsync("/plaintext"));
        var counters = TlsServe.TlsStopCounters(await server.StopAsync());
        Assert.True(counters["reloads"] >= 1 && counters["reload-failures"] == 0, server.Process.StdOut);
    }

    [Fact]
    public async Task A_changed_file_is_picked_up_without_a_signal()
    {
        var files = ServedFiles(_certificates.LocalhostEcdsa);
        await using var server = await TlsServe.StartAsync(output, files);
        await using var longLived = await ConnectAsync(server);
        Assert.Equal((200, "Hello, World!"), await longLived.GetAsync("/plaintext"));

        Install(_certificates.LocalhostNext, files);
        await server.Process.WaitForLineAsync(Reloaded("certificate file changed"), s_wait);

        await using (var fresh = await ConnectAsync(server))
        {
            Assert.Equal(_certificates.LocalhostNext.Serial, fresh.ServerSerial);
        }
        Assert.Equal((200, "Hello, World!"), await longLived.GetAsync("/plaintext"));
        Assert.Equal(_certificates.LocalhostEcdsa.Serial, longLived.ServerSerial);
        await server.StopAsync();
    }

    [Fact]
    public async Task A_corrupt_new_file_is_logged_in_one_line_and_the_old_certificate_stays()
    {
        var files = ServedFiles(_certificates.LocalhostEcdsa);
        await using var server = await TlsServe.StartAsync(output, files);
        await using var longLived = await ConnectAsync(server);

        await File.WriteAllTextAsync(files.Certificate, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        var failure = await server.Process.WaitForLineAsync(ReloadFailed(), s_wait);
        output.WriteLine("the failure line: " + failure.Value);

        await using (var fresh = await ConnectAsync(server))
        {
            Assert.Equal(_certificates.LocalhostEcdsa.Serial, fresh.ServerSerial);
            Assert.Equal((200, "Hello, World!"), await fresh.GetAsync("/plaintext"));
        }
        Assert.Equal((200, "Hello, World!"), await longLived.GetAsync("/plaintext"));
        // A good file after the bad one is taken: the watcher did not give up. Until then the bad file drew one line.
        Install(_certificates.LocalhostNext, files);
        await server.Process.WaitForLineAsync(Reloaded("certificate file changed"), s_wait);
        string log = await server.StopAsync();
        Assert.Single(ReloadFailed().Matches(log));
        Assert.Contains(files.Certificate, failure.Value, StringComparison.Ordinal);
        TlsServe.AssertNoStackTrace(log);
        var counters = TlsServe.TlsStopCounters(log);
        Assert.Equal(1, counters["reload-failures"]);
        Assert.Equal(1, counters["reloads"]);
    }

    [Fact]
    public async Task Reload_certificates_in_process_returns_false_for_a_corrupt_file_and_true_for_a_good_one()
    {
        var files = ServedFiles(_certificates.LocalhostEcdsa);
        await using var app = HttpTestApp.Start(
            app => app.MapGet("/plaintext", context => context.Response.WriteText("Hello, World!")),
            builder => builder.Options.Tls = new TlsOptions { CertificatePath = files.Certificate, KeyPath = files.Key, ReloadOnFileChange = false });
        int port = app.App.TlsEndPoint!.Port;
        await using var longLived = await HttpsTestClient.ConnectAsync(port, _certificates.CaCertificate);

        await File.WriteAllTextAsync(files.Key, "not a key\n");
        Assert.False(app.App.Server!.ReloadCertificates());
        await using (var stillOld = await HttpsTestClient.ConnectAsync(port, _certificates.CaCertificate))
        {
            Assert.Equal(_certificates.LocalhostEcdsa.Serial, stillOld.ServerSerial);
        }

        Install(_certificates.LocalhostNext, files);
        Assert.True(app.App.Server!.ReloadCertificates());
        await using (var fresh = await HttpsTestClient.ConnectAsync(port, _certificates.CaCertificate))
        {
            Assert.Equal(_certificates.LocalhostNext.Serial, fresh.ServerSerial);
        }
        Assert.Equal((200, "Hello, World!"), await longLived.GetAsync("/plaintext"));
        var failures = app.Logs.Entries.Where(e => e.Message.Contains("reload", StringComparison.Ordinal) && e.Message.Contains("failed", StringComparison.Ordinal)).ToList();
        Assert.Single(failures);
        Assert.Null(failures[0].Exception);
        Assert.DoesNotContain('\n', failures[0].Message);
    }

    private const int SIGHUP = 1;

    /// <summary>Copies of <paramref name="source"/> in a fresh directory: what the server serves and the test overwrites.</summary>
    private CertificateFiles ServedFiles(CertificateFiles source)
    {
        string directory = _certificates.NewScratchDirectory();
        var files = new CertificateFiles(Path.Combine(directory, "cert.pem"), Path.Combine(directory, "key.pem"), "");
        Install(source, files);
        return files;
    }

    private static void Install(CertificateFiles source, CertificateFiles target)
    {
        File.Copy(source.Key, target.Key, overwrite: true);
        File.Copy(source.Certificate, target.Certificate, overwrite: true);
    }

    private Task<HttpsTestClient> ConnectAsync(TlsServe server) => HttpsTestClient.ConnectAsync(server.Port, _certificates.CaCertificate);

    private static Regex Reloaded(string why) => new($@"TLS certificate reloaded \({Regex.Escape(why)}\)");

    [GeneratedRegex(@"TLS certificate reload \([^)]*\) failed, keeping the current certificate: .+")]
    private static partial Regex ReloadFailed();
}
