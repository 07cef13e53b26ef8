using Netloop.Bench.Cases;
using Netloop.Bench.Running;
using Netloop.Bench.Servers;

namespace Netloop.Tests.Bench;

/// <summary>The bench's TLS cases: their shapes, who runs them, and how each server and load is started for them.</summary>
public sealed class TlsCaseTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("netloop-bench-tls-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ServerLauncher Launcher() => new(new NetloopExecutable(new ProcessCommand("netloop", [])), "/repo", _folder, _folder);

    private static ServerSpec Server(string name) => ServerCatalog.All.Single(s => s.Name == name);

    private static BenchCase Case(string name) => CaseCatalog.All(10_000).Single(c => c.Name == name);

    [Fact]
    public void The_tls_cases_are_the_issues_five_measures_with_an_rsa_handshake_row()
    {
        Assert.True(CaseCatalog.TryParse("tls", 10_000, out var tls, out string? error), error);

        Assert.Equal(["tls-handshake", "tls-handshake-rsa", "tls-resume", "tls-plaintext-256", "h2-tls-100", "tls-idle"], tls.Select(c => c.Name));
        Assert.All(tls.Where(c => c.Name.StartsWith("tls-handshake", StringComparison.Ordinal) || c.Name == "tls-resume"), c => Assert.Equal(1, c.RequestsPerConnection));
        Assert.Equal(TlsKey.Rsa, Case("tls-handshake-rsa").Tls);
        Assert.True(Case("tls-resume").TlsResume);
        Assert.Equal((LoadProtocol.Http2, 100, 10), (Case("h2-tls-100").Protocol, Case("h2-tls-100").Connections, Case("h2-tls-100").Pipeline));
        Assert.Equal((CaseKind.Idle, 10_000), (Case("tls-idle").Kind, Case("tls-idle").Connections));
        Assert.DoesNotContain(CaseCatalog.Quick(10_000), c => c.Tls != TlsKey.None);
        Assert.Contains("ECDSA P-256", Case("tls-plaintext-256").Title, StringComparison.Ordinal);
        Assert.Contains("RSA-2048", Case("tls-handshake-rsa").Title, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_servers_that_terminate_tls_run_the_tls_cases()
    {
        var tls = CaseCatalog.All(100).Where(c => c.Tls != TlsKey.None).ToList();

        Assert.Equal(["epoll", "poll", "kestrel", "nginx"], ServerCatalog.All.Where(s => tls.All(s.Runs)).Select(s => s.Name));
        Assert.Equal(["serial", "threads", "sockets", "c"], ServerCatalog.All.Where(s => !tls.Any(s.Runs)).Select(s => s.Name));
    }

    [Fact]
    public void The_load_speaks_https_or_h2s_without_checking_the_runs_own_certificate()
    {
        var handshake = LoadRequest.For(Case("tls-handshake"), 8443, TimeSpan.FromSeconds(5), 42).Arguments();
        var resume = LoadRequest.For(Case("tls-resume"), 8443, TimeSpan.FromSeconds(5), null).Arguments();
        var idle = LoadRequest.For(Case("tls-idle"), 8443, TimeSpan.FromSeconds(5), null).Arguments();

        Assert.Equal("https://127.0.0.1:8443/plaintext", handshake[2]);
        Assert.Contains("--insecure", handshake);
        Assert.DoesNotContain("--tls-resume", handshake);
        Assert.Equal("1", handshake[handshake.ToList().IndexOf("--requests-per-connection") + 1]);
        Assert.Contains("--tls-resume", resume);
        Assert.Contains("--idle", idle);
        Assert.Equal("https://127.0.0.1:8443/plaintext", BenchRunner.H2LoadRequestFor(Case("h2-tls-100"), 8443, TimeSpan.FromSeconds(5)).Uri);
        Assert.Equal("http://127.0.0.1:8443/plaintext", BenchRunner.H2LoadRequestFor(Case("h2-plaintext-100"), 8443, TimeSpan.FromSeconds(5)).Uri);
    }

    [Fact]
    public void Nginx_serves_tls_with_http2_a_shared_session_cache_and_tickets()
    {
        string config = NginxConfig.Generate("/p", 8443, 1024, TimeSpan.FromMinutes(1), runningAsRoot: false, http2: true, tls: ("/p/cert.pem", "/p/key.pem"));

        Assert.Contains("listen 127.0.0.1:8443 reuseport backlog=4096 ssl http2;", config, StringComparison.Ordinal);
        Assert.Contains("ssl_certificate /p/cert.pem;", config, StringComparison.Ordinal);
        Assert.Contains("ssl_certificate_key /p/key.pem;", config, StringComparison.Ordinal);
        Assert.Contains("ssl_session_cache shared:SSL:10m;", config, StringComparison.Ordinal);
        Assert.Contains("ssl_session_tickets on;", config, StringComparison.Ordinal);
        Assert.DoesNotContain("ssl", NginxConfig.Generate("/p", 8080, 1024, TimeSpan.FromMinutes(1), runningAsRoot: false), StringComparison.Ordinal);
    }

    [Fact]
    public void Netloop_and_kestrel_get_the_same_pem_files_made_once_per_run()
    {
        var launcher = Launcher();

        string netloop = launcher.Command(Server("epoll"), LoadProtocol.Http, 8443, 1024, TimeSpan.FromMinutes(1), tls: TlsKey.Ecdsa).ToString();
        string kestrel = launcher.Command(Server("kestrel"), LoadProtocol.Http, 8443, 1024, TimeSpan.FromMinutes(1), tls: TlsKey.Ecdsa).ToString();
        var (certificate, key) = launcher.Certificates.For(TlsKey.Ecdsa);

        Assert.Contains($"--tls-cert {certificate} --tls-key {key}", netloop, StringComparison.Ordinal);
        Assert.Contains("--urls https://127.0.0.1:8443", kestrel, StringComparison.Ordinal);
        Assert.Contains($"--Kestrel:Certificates:Default:Path={certificate} --Kestrel:Certificates:Default:KeyPath={key}", kestrel, StringComparison.Ordinal);
        Assert.Contains("BEGIN CERTIFICATE", File.ReadAllText(certificate), StringComparison.Ordinal);
        Assert.NotEqual(certificate, launcher.Certificates.For(TlsKey.Rsa).Certificate);
        Assert.DoesNotContain("--tls-cert", launcher.Command(Server("epoll"), LoadProtocol.Http, 8080, 1024, TimeSpan.FromMinutes(1)).ToString(), StringComparison.Ordinal);
    }
}
