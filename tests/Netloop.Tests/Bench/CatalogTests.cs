using Netloop.Bench.Cases;
using Netloop.Bench.Servers;

namespace Netloop.Tests.Bench;

/// <summary>The server and case catalogs, and the --servers and --cases parsers built on them.</summary>
public sealed class CatalogTests
{
    [Fact]
    public void Catalog_has_every_netloop_mode_then_kestrel_and_nginx_then_the_c_reference()
    {
        Assert.Equal(["epoll", "poll", "serial", "threads", "sockets", "kestrel", "nginx", "c"], ServerCatalog.All.Select(s => s.Name));
        Assert.All(ServerCatalog.All.Take(5), s => Assert.Equal(ServerFamily.Netloop, s.Family));
        var reference = ServerCatalog.All[^1];
        Assert.Equal(ServerFamily.Reference, reference.Family);
        Assert.Contains("bench/limit", reference.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Netloop_and_the_c_reference_speak_echo_and_only_netloop_can_share_a_port()
    {
        foreach (var server in ServerCatalog.All)
        {
            bool netloop = server.Family == ServerFamily.Netloop;
            Assert.Equal(netloop || server.Family == ServerFamily.Reference, server.Speaks(LoadProtocol.Echo));
            Assert.True(server.Speaks(LoadProtocol.Http));
            Assert.Equal(netloop, server.CanShareAPort);
        }
    }

    [Fact]
    public void The_c_reference_runs_echo_plaintext_pipelined_and_idle_only_and_every_other_server_every_case_it_speaks()
    {
        var all = CaseCatalog.All(10_000);
        var reference = ServerCatalog.All.Single(s => s.Name == ServerCatalog.Reference);
        Assert.Equal(
            ["echo-64", "echo-256", "echo-1024", "echo-10000", "plaintext-64", "plaintext-256", "plaintext-1024", "plaintext-10000", "pipelined-256", "idle"],
            all.Where(reference.Runs).Select(c => c.Name));
        Assert.False(reference.RunsCasesOf(CaseCatalog.Startup));

        foreach (var server in ServerCatalog.All.Where(s => s.Family != ServerFamily.Reference))
        {
            Assert.Equal(all.Where(c => server.Speaks(c.Protocol) && (c.Tls == TlsKey.None || server.SpeaksTls)).Select(c => c.Name), all.Where(server.Runs).Select(c => c.Name));
        }
        var nginx = ServerCatalog.All.Single(s => s.Name == ServerCatalog.Nginx);
        Assert.DoesNotContain(all.Where(nginx.Runs), c => c.Protocol == LoadProtocol.Echo);
    }

    [Fact]
    public void Server_list_keeps_catalog_order_without_duplicates()
    {
        Assert.True(ServerCatalog.TryParse("nginx, epoll,EPOLL,kestrel", out var servers, out _));
        Assert.Equal(["epoll", "kestrel", "nginx"], servers.Select(s => s.Name));
        Assert.True(ServerCatalog.TryParse("all", out var all, out _));
        Assert.Equal(8, all.Count);
        Assert.True(ServerCatalog.TryParse("C,epoll", out var withReference, out _));
        Assert.Equal(["epoll", "c"], withReference.Select(s => s.Name));
    }

    [Fact]
    public void Unknown_server_names_it_and_lists_the_valid_ones()
    {
        Assert.False(ServerCatalog.TryParse("epoll,apache", out _, out string? error));
        Assert.Contains("'apache'", error, StringComparison.Ordinal);
        Assert.Contains("epoll, poll, serial, threads, sockets, kestrel, nginx, c", error, StringComparison.Ordinal);
        Assert.False(ServerCatalog.TryParse(" , ", out _, out _));
    }

    [Fact]
    public void Cases_cover_the_issue_and_the_default_leaves_the_soak_out()
    {
        var all = CaseCatalog.All(10_000).Select(c => c.Name).ToList();
        Assert.Equal(
            ["echo-64", "echo-256", "echo-1024", "echo-10000", "plaintext-64", "plaintext-256", "plaintext-1024", "plaintext-10000", "pipelined-256", "json-256", "churn-256", "idle",
             "h2-plaintext-100", "h2-plaintext-16", "h2-json-100", "h2-idle",
             "tls-handshake", "tls-handshake-rsa", "tls-resume", "tls-plaintext-256", "h2-tls-100", "tls-idle", "startup-http", "startup-echo", "soak"],
            all);
        Assert.DoesNotContain("soak", CaseCatalog.Default(10_000).Select(c => c.Name));
        Assert.Equal(["echo-256", "plaintext-256", "pipelined-256", "idle", "h2-plaintext-100", "h2-idle", "startup-http", "startup-echo"], CaseCatalog.Quick(10_000).Select(c => c.Name));

        var byName = CaseCatalog.All(12_345).ToDictionary(c => c.Name);
        Assert.Equal(16, byName["pipelined-256"].Pipeline);
        Assert.Equal("/json", byName["json-256"].Path);
        Assert.Equal(10, byName["churn-256"].RequestsPerConnection);
        Assert.Equal(12_345, byName["idle"].Connections);
        Assert.Equal(CaseKind.Idle, byName["idle"].Kind);
        Assert.Equal(LoadProtocol.Echo, byName["echo-64"].Protocol);
        Assert.Equal(4096, byName["echo-64"].PayloadBytes);
    }

    [Fact]
    public void Case_list_accepts_families_names_and_all_in_catalog_order()
    {
        Assert.True(CaseCatalog.TryParse("idle,echo,plaintext-256", 100, out var cases, out _));
        Assert.Equal(["echo-64", "echo-256", "echo-1024", "echo-10000", "plaintext-256", "idle"], cases.Select(c => c.Name));
        Assert.True(CaseCatalog.TryParse("all,soak", 100, out var withSoak, out _));
        Assert.Equal(CaseCatalog.All(100).Count, withSoak.Count);
    }

    [Fact]
    public void Unknown_case_names_it_and_lists_the_valid_ones()
    {
        Assert.False(CaseCatalog.TryParse("plaintext-999", 100, out _, out string? error));
        Assert.Contains("'plaintext-999'", error, StringComparison.Ordinal);
        Assert.Contains("churn-256", error, StringComparison.Ordinal);
    }
}
