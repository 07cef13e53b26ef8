using System.Net;
using Netloop.Baselines;
using Netloop.Bench;
using Netloop.Bench.Cases;
using Netloop.Bench.Report;
using Netloop.Bench.Running;
using Netloop.Bench.Servers;
using Netloop.Protocols.Http1;
using Netloop.Server;
using Netloop.Tests.Bench.Report;
using Netloop.Tests.Support;

namespace Netloop.Tests.Bench;

/// <summary>
/// The HTTP/2 cases of <c>netloop bench</c>: which cases <c>--cases</c> selects, which servers run them (and which show
/// "–" with a reason instead), how each peer is started for h2c, the probe that checks it answers, and the report rows.
/// </summary>
public sealed class Http2CaseTests
{
    private static ServerSpec Server(string name) => ServerCatalog.All.Single(s => s.Name == name);

    private static BenchPlan Plan(IReadOnlyList<BenchCase> cases, IReadOnlySet<string>? http2Servers = null) =>
        new(ServerCatalog.All, cases, 1, TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromMinutes(1), 20_000) { Http2Servers = http2Servers };

    [Fact]
    public void The_http2_cases_are_the_issues_three_h2load_shapes_and_the_idle_case()
    {
        var byName = CaseCatalog.All(10_000, 2_500).Where(c => c.Protocol == LoadProtocol.Http2 && c.Tls == TlsKey.None).ToDictionary(c => c.Name);

        Assert.Equal(["h2-plaintext-100", "h2-plaintext-16", "h2-json-100", "h2-idle"], byName.Keys);
        Assert.Equal((100, 10, "/plaintext"), (byName["h2-plaintext-100"].Connections, byName["h2-plaintext-100"].Pipeline, byName["h2-plaintext-100"].Path));
        Assert.Equal((16, 100, "/plaintext"), (byName["h2-plaintext-16"].Connections, byName["h2-plaintext-16"].Pipeline, byName["h2-plaintext-16"].Path));
        Assert.Equal((100, 10, "/json"), (byName["h2-json-100"].Connections, byName["h2-json-100"].Pipeline, byName["h2-json-100"].Path));
        Assert.Equal(CaseKind.Idle, byName["h2-idle"].Kind);
        Assert.Equal(2_500, byName["h2-idle"].Connections);
        Assert.Equal(10_000, CaseCatalog.All(10_000).Single(c => c.Name == "h2-idle").Connections); // --idle-h2 defaults to --idle
        Assert.Contains("100 connections × 10 streams", byName["h2-plaintext-100"].Title, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_run_has_every_http2_case_and_quick_the_headline_shape_and_the_idle_case()
    {
        Assert.Equal(4, CaseCatalog.Default(100).Count(c => c.Protocol == LoadProtocol.Http2 && c.Tls == TlsKey.None));
        Assert.Equal(["h2-plaintext-100", "h2-idle"], CaseCatalog.Quick(100).Where(c => c.Protocol == LoadProtocol.Http2).Select(c => c.Name));
    }

    [Theory]
    [InlineData("h2", new[] { "h2-plaintext-100", "h2-plaintext-16", "h2-json-100", "h2-idle" })]
    [InlineData("H2", new[] { "h2-plaintext-100", "h2-plaintext-16", "h2-json-100", "h2-idle" })]
    [InlineData("h2-plaintext", new[] { "h2-plaintext-100", "h2-plaintext-16" })]
    [InlineData("h2-idle,h2-json-100", new[] { "h2-json-100", "h2-idle" })]
    [InlineData("idle,h2-idle", new[] { "idle", "h2-idle" })]
    [InlineData("plaintext-256,h2,h2-plaintext-16", new[] { "plaintext-256", "h2-plaintext-100", "h2-plaintext-16", "h2-json-100", "h2-idle" })]
    public void Cases_select_the_h2_group_families_and_names_in_catalog_order(string list, string[] expected)
    {
        Assert.True(CaseCatalog.TryParse(list, 100, 50, out var cases, out string? error), error);
        Assert.Equal(expected, cases.Select(c => c.Name));
        if (cases.SingleOrDefault(c => c.Name == "h2-idle") is { } idle) Assert.Equal(50, idle.Connections);
    }

    [Fact]
    public void Unknown_h2_names_are_refused_and_the_help_lists_the_group()
    {
        Assert.False(CaseCatalog.TryParse("h2-plaintext-99", 100, out _, out string? error));
        Assert.Contains("'h2-plaintext-99'", error, StringComparison.Ordinal);
        Assert.Contains("h2, h2-plaintext,", CaseCatalog.Names, StringComparison.Ordinal);
        Assert.Contains("h2-idle", CaseCatalog.Names, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_netloop_mode_kestrel_and_nginx_speak_http2_and_the_c_limit_is_excluded_with_its_reason()
    {
        var h2 = CaseCatalog.All(100).Where(c => c.Protocol == LoadProtocol.Http2 && c.Tls == TlsKey.None).ToList();
        var plan = Plan(h2);
        foreach (var spec in ServerCatalog.All.Where(s => s.Name != ServerCatalog.Reference))
        {
            Assert.True(spec.Speaks(LoadProtocol.Http2), spec.Name);
            Assert.All(h2, c => Assert.True(plan.Runs(spec, c), $"{spec.Name} {c.Name}"));
            Assert.All(h2, c => Assert.Null(plan.Exclusion(spec, c)));
        }
        var reference = Server(ServerCatalog.Reference);
        Assert.False(reference.Speaks(LoadProtocol.Http2));
        Assert.All(h2, c => Assert.False(plan.Runs(reference, c)));
        Assert.All(h2, c => Assert.Equal("limit-http speaks HTTP/1.1 only", plan.Exclusion(reference, c)));
        // Outside HTTP/2 nothing changes: a case a server sits out is no row, not an exclusion.
        Assert.Null(plan.Exclusion(reference, CaseCatalog.All(100).Single(c => c.Name == "json-256")));
    }

    [Fact]
    public void Quick_keeps_its_http2_cases_to_the_servers_it_names_and_says_so_for_the_others()
    {
        var h2 = CaseCatalog.Quick(100).Where(c => c.Protocol == LoadProtocol.Http2).ToList();
        var plan = Plan(CaseCatalog.Quick(100), new HashSet<string> { "epoll", "kestrel", "nginx" });

        Assert.Equal(["epoll", "kestrel", "nginx"], ServerCatalog.All.Where(s => h2.All(c => plan.Runs(s, c))).Select(s => s.Name));
        string? serial = plan.Exclusion(Server("serial"), h2[0]);
        Assert.NotNull(serial);
        Assert.Contains("--quick", serial, StringComparison.Ordinal);
        Assert.Contains("epoll, kestrel, nginx", serial, StringComparison.Ordinal);
        // HTTP/1.1 cases are not restricted.
        Assert.True(plan.Runs(Server("serial"), CaseCatalog.Quick(100).Single(c => c.Name == "plaintext-256")));
    }

    [Fact]
    public void Kestrel_and_nginx_listen_for_http2_alone_and_netloop_serves_both_on_its_usual_command()
    {
        var launcher = new ServerLauncher(new NetloopExecutable(new ProcessCommand("/usr/bin/this-build", [])), "/repo", Path.GetTempPath(), Path.GetTempPath());
        var kestrel = launcher.Command(Server("kestrel"), LoadProtocol.Http2, 7000, 1024, TimeSpan.FromMinutes(1));
        Assert.Contains("--Kestrel:EndpointDefaults:Protocols=Http2", kestrel.Arguments);
        Assert.DoesNotContain("--Kestrel:EndpointDefaults:Protocols=Http2", launcher.Command(Server("kestrel"), LoadProtocol.Http, 7000, 1024, TimeSpan.FromMinutes(1)).Arguments);

        var epoll = launcher.Command(Server("epoll"), LoadProtocol.Http2, 7000, 1024, TimeSpan.FromMinutes(1));
        Assert.Equal(launcher.Command(Server("epoll"), LoadProtocol.Http, 7000, 1024, TimeSpan.FromMinutes(1)).Arguments, epoll.Arguments);

        Assert.Throws<ArgumentException>(() => launcher.Command(Server(ServerCatalog.Reference), LoadProtocol.Http2, 7000, 1024, TimeSpan.FromMinutes(1)));

        Assert.Contains("listen 127.0.0.1:8123 reuseport backlog=4096 http2;", NginxConfig.Generate("/tmp/x", 8123, 100, TimeSpan.FromMinutes(1), true, http2: true), StringComparison.Ordinal);
        Assert.Contains("listen 127.0.0.1:8123 reuseport backlog=4096;", NginxConfig.Generate("/tmp/x", 8123, 100, TimeSpan.FromMinutes(1), true), StringComparison.Ordinal);
    }

    [Fact]
    public void The_probe_encodes_a_get_and_reads_the_status_from_the_static_table_or_a_plain_literal()
    {
        byte[] frame = Http2Probe.HeadersFrame(3, "/plaintext", "127.0.0.1:80");
        Assert.Equal([0, 0, 28, 1, 5, 0, 0, 0, 3, 0x82, 0x86, 0x04, 10], frame[..13]);
        Assert.Equal([0x01, 12, .. "127.0.0.1:80"u8], frame[^14..]);

        Assert.Equal(200, Http2Probe.StatusOf([0x88, 0x5f]));
        Assert.Equal(404, Http2Probe.StatusOf([0x8d]));
        Assert.Equal(503, Http2Probe.StatusOf([0x08, 3, (byte)'5', (byte)'0', (byte)'3']));
        Assert.Equal(-1, Http2Probe.StatusOf([0x48, 0x82, 0x10, 0x01])); // Huffman: not read
        Assert.Equal(-1, Http2Probe.StatusOf([]));
    }

    [Fact]
    public async Task The_probe_gets_200s_from_netloops_http2_and_a_reason_from_an_http1_only_server()
    {
        var handler = new HttpProtocolFactory(context =>
        {
            context.Response.WriteText("Hello, World!");
            return ValueTask.CompletedTask;
        });
        await using (var server = TestServer.Start(ServerMode.Epoll, protocol: handler))
        {
            Assert.Null(await ProbeAsync(server.EndPoint, requests: 3));
        }
        await using (var http1 = TestServer.Start(ServerMode.Epoll, protocol: new HttpProtocolFactory(_ => ValueTask.CompletedTask, new HttpLimits { Protocols = HttpProtocols.Http1 })))
        {
            Assert.NotNull(await ProbeAsync(http1.EndPoint, requests: 1));
        }
    }

    private static async Task<string?> ProbeAsync(IPEndPoint endPoint, int requests)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint, timeout.Token);
        return await Http2Probe.GetAsync(socket, "/plaintext", $"127.0.0.1:{endPoint.Port}", requests, timeout.Token);
    }

    [Fact]
    public void Report_and_summary_show_excluded_servers_as_a_dash_with_the_reason_and_never_as_failures()
    {
        var report = Http2Report();
        string md = MarkdownReport.Render(report, []);
        string summary = SummaryText.Render(report);

        Assert.Contains("| c | – | – |", md, StringComparison.Ordinal);
        Assert.Contains("– not measured in this case, by design: `c`: limit-http speaks HTTP/1.1 only.", md, StringComparison.Ordinal);
        Assert.Contains("| epoll | 200,000 | 2.00× | 4.00× |", md, StringComparison.Ordinal);
        Assert.Contains("| mean |", md, StringComparison.Ordinal);
        Assert.DoesNotContain("**c**", md, StringComparison.Ordinal);
        Assert.Contains("**nginx**, `h2-plaintext-100`: partial: 1 of 2 rounds failed: h2load: 3 failed, 3 errored, 0 timeout of 10 requests", md, StringComparison.Ordinal);
        Assert.Contains("c                 – (limit-http speaks HTTP/1.1 only)", summary, StringComparison.Ordinal);
        Assert.Contains("h2-idle (10,000)", summary, StringComparison.Ordinal);
        Assert.Contains("idle HTTP/2 connections", md, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_charts_are_drawn_and_an_excluded_server_has_no_bar()
    {
        string folder = Directory.CreateTempSubdirectory("netloop-bench-h2-").FullName;
        try
        {
            string md = await File.ReadAllTextAsync(await ReportWriter.WriteAsync(Http2Report(), folder));
            foreach (string chart in new[] { "requests-h2-plaintext-100.png", "h2-idle-rss-per-connection.png" })
            {
                Assert.Contains($"]({chart})", md, StringComparison.Ordinal);
                BenchReportTests.AssertPng(Path.Combine(folder, chart));
            }
            var read = ReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.ResultsFile)));
            Assert.NotNull(read);
            Assert.Equal(CaseStatus.Excluded, read.Results.Single(r => r.Server == "c" && r.Case == "h2-idle").Status);
            Assert.Equal(500, read.Results.Single(r => r.Server == "epoll" && r.Case == "h2-plaintext-100").Median!.MeanLatencyUs);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // epoll 200k, kestrel 100k, nginx failing one round of two (50k), c excluded, in h2-plaintext-100; idle over HTTP/2 too.
    private static BenchReport Http2Report()
    {
        var cases = CaseCatalog.All(10_000).Where(c => c.Name is "h2-plaintext-100" or "h2-idle").ToList();
        var servers = new[] { "epoll", "kestrel", "nginx", "c" }.Select(Server).ToList();
        var plan = Plan(cases);
        var results = new List<CaseResult>
        {
            Medians.Summarize("epoll", "h2-plaintext-100", [SyntheticResults.Round(1, 200_000) with { MeanLatencyUs = 500 }], "unused"),
            Medians.Summarize("kestrel", "h2-plaintext-100", [SyntheticResults.Round(1, 100_000) with { MeanLatencyUs = 900 }], "unused"),
            Medians.Summarize("nginx", "h2-plaintext-100", [SyntheticResults.Failed(1, "h2load: 3 failed, 3 errored, 0 timeout of 10 requests")], "unused"),
            Medians.Summarize("epoll", "h2-idle", [SyntheticResults.IdleRound(1, 900)], "unused"),
            Medians.Summarize("kestrel", "h2-idle", [SyntheticResults.IdleRound(1, 33_000)], "unused"),
            Medians.Summarize("nginx", "h2-idle", [SyntheticResults.IdleRound(1, 1_500)], "unused"),
        };
        foreach (var c in cases)
        {
            results.Add(new CaseResult { Server = "c", Case = c.Name, Status = CaseStatus.Excluded, Failure = plan.Exclusion(Server("c"), c) });
        }
        // nginx's ratio column needs a measured nginx: give it the second round.
        results[2] = Medians.Summarize("nginx", "h2-plaintext-100", [SyntheticResults.Failed(1, "h2load: 3 failed, 3 errored, 0 timeout of 10 requests"), SyntheticResults.Round(2, 50_000)], "unused");
        return new BenchReport
        {
            Command = "netloop bench --cases h2",
            StartedUtc = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero),
            Machine = new MachineInfo { Cores = 2, Pinning = "server on cpu 0 (taskset), load on cpu 1 (taskset)" },
            Settings = new BenchSettings { Rounds = 2, DurationSeconds = 3, IdleConnections = 10_000, IdleH2Connections = 10_000 },
            Servers = servers.Select(s => new ServerEntry { Name = s.Name, Family = s.Family.ToString(), Available = true, Status = "ready" }).ToList(),
            Cases = cases.Select(BenchSuite.ToEntry).ToList(),
            Results = results,
        };
    }
}
