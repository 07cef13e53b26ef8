using Netloop.Bench.Cases;
using Netloop.Bench.Report;
using Netloop.Bench.Running;
using Netloop.Bench.Servers;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Bench.Servers;

/// <summary>
/// The start-up cases of <c>netloop bench</c>: parsing, which builds are measured (a NativeAOT binary that was not
/// published is a failure with the command that makes it), the report section from hand-made results, and one real
/// run against the JIT build. Nothing asserts on speed.
/// </summary>
public sealed class StartupCaseTests(ITestOutputHelper output)
{
    private const string NotPublished = "not published — run `dotnet publish src/Netloop.Cli -c Release -p:PublishAot=true -o artifacts/aot`";

    private static readonly TimeSpan s_runLimit = TimeSpan.FromMinutes(3);

    private static ServerSpec Server(string name) => ServerCatalog.All.Single(s => s.Name == name);

    [Fact]
    public void Startup_family_parses_to_an_http_and_an_echo_case_in_the_default_and_quick_sets()
    {
        Assert.True(CaseCatalog.TryParse("startup", 100, out var cases, out _));
        Assert.Equal(["startup-http", "startup-echo"], cases.Select(c => c.Name));
        Assert.All(cases, c => Assert.Equal(CaseKind.Startup, c.Kind));
        Assert.Equal([LoadProtocol.Http, LoadProtocol.Echo], cases.Select(c => c.Protocol));
        Assert.Equal("/plaintext", cases[0].Path);

        Assert.True(CaseCatalog.TryParse("STARTUP-ECHO", 100, out var one, out _));
        Assert.Equal("startup-echo", Assert.Single(one).Name);
        Assert.Contains(CaseCatalog.Default(100), c => c.Name == "startup-http");
        Assert.Contains(CaseCatalog.Default(100), c => c.Name == "startup-echo");
        Assert.Equal(2, CaseCatalog.Quick(100).Count(c => c.Kind == CaseKind.Startup));
        Assert.Contains("startup, ", CaseCatalog.Names, StringComparison.Ordinal);
        Assert.Equal("Start-up: spawn to first GET /plaintext 200", cases[0].Title);
    }

    [Fact]
    public void Epoll_is_measured_as_jit_and_aot_and_a_missing_aot_binary_says_how_to_publish_it()
    {
        string clone = Directory.CreateTempSubdirectory("netloop-startup-clone-").FullName;
        try
        {
            var current = new NetloopExecutable(new ProcessCommand("/usr/bin/dotnet", ["/x/Netloop.Cli.dll"]));
            var missing = StartupEntrant.For(Server("epoll"), current, clone, currentIsNative: false, "/usr/bin/dotnet");
            Assert.Equal(["epoll", "epoll (AOT)"], missing.Select(e => e.Name));
            Assert.Equal(["JIT", "AOT"], missing.Select(e => e.Build));
            Assert.Same(current, missing[0].Netloop);
            Assert.Null(missing[0].Missing);
            Assert.Null(missing[1].Netloop);
            Assert.Equal(NotPublished, missing[1].Missing);

            string binary = Path.Combine(clone, "artifacts", "aot", "Netloop.Cli");
            Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
            File.WriteAllText(binary, "");
            var published = StartupEntrant.For(Server("epoll"), current, clone, currentIsNative: false, "/usr/bin/dotnet");
            Assert.Null(published[1].Missing);
            Assert.Equal(binary, published[1].Netloop!.Command.FileName);
            Assert.Empty(published[1].Netloop!.Command.Arguments);

            // Run as the AOT binary itself: that is the AOT build, and the JIT one is the clone's Release build.
            var native = StartupEntrant.For(Server("epoll"), new NetloopExecutable(new ProcessCommand(binary, [])), clone, currentIsNative: true, "/usr/bin/dotnet");
            Assert.Equal(binary, native[1].Netloop!.Command.FileName);
            Assert.Contains("dotnet build -c Release", native[0].Missing, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(clone, recursive: true);
        }

        Assert.Contains("no clone", StartupEntrant.For(Server("epoll"), new NetloopExecutable(new ProcessCommand("x", [])), null, false, "dotnet")[1].Missing, StringComparison.Ordinal);
        Assert.Equal("JIT", Assert.Single(StartupEntrant.For(Server("kestrel"), new NetloopExecutable(new ProcessCommand("x", [])), null, false, "dotnet")).Build);
        Assert.Equal("native", Assert.Single(StartupEntrant.For(Server("nginx"), new NetloopExecutable(new ProcessCommand("x", [])), null, false, "dotnet")).Build);
        Assert.Empty(StartupEntrant.For(Server("poll"), new NetloopExecutable(new ProcessCommand("x", [])), null, false, "dotnet"));
        // limit-http and limit-echo parse nothing and start in microseconds: not what the start-up cases are about.
        Assert.False(StartupEntrant.Measures(Server("c")));
        Assert.Empty(StartupEntrant.For(Server("c"), new NetloopExecutable(new ProcessCommand("x", [])), null, false, "dotnet"));
    }

    [Fact]
    public void A_round_takes_medians_of_its_spawns_fails_when_one_spawn_failed_and_rounds_pool_their_spawns()
    {
        var round1 = BenchRunner.StartupRound(1, "JIT", "netloop serve", [new(30, 20_000_000, null), new(10, 10_000_000, null), new(20, 30_000_000, null)]);
        Assert.True(round1.Ok);
        Assert.Equal(20, round1.Startup!.MillisecondsToFirstResponse);
        Assert.Equal(20_000_000, round1.Startup.RssBytes);

        var broken = BenchRunner.StartupRound(2, "JIT", "netloop serve", [new(40, 1, null), StartupSample.Failed("exited with code 1 before answering: boom")]);
        Assert.False(broken.Ok);
        Assert.Equal("1 of 2 spawns failed: exited with code 1 before answering: boom", broken.Failure);
        Assert.Equal("boom", BenchRunner.StartupRound(1, "AOT", "", [StartupSample.Failed("boom")]).Failure);

        var round3 = BenchRunner.StartupRound(3, "JIT", "netloop serve", [new(50, 40_000_000, null), new(60, 50_000_000, null)]);
        var result = Medians.Summarize("epoll", "startup-http", [round1, broken, round3], "unused");
        Assert.Equal(CaseStatus.Partial, result.Status);
        // The spawns of the good rounds, pooled: 30, 10, 20, 50, 60 → 30.
        Assert.Equal(30, result.Median!.Startup!.MillisecondsToFirstResponse);
        Assert.Equal(30_000_000, result.Median.Startup.RssBytes);
        Assert.Equal(5, result.Median.Startup.SpawnMilliseconds.Count);
    }

    [Fact]
    public void Report_gives_each_build_against_the_targets_and_lists_an_unpublished_aot_build_as_a_failure()
    {
        string md = MarkdownReport.Render(Report(aotPublished: false), []);
        output.WriteLine(md);

        Assert.Contains("## Start-up: spawn to first GET /plaintext 200 (`startup-http`)", md, StringComparison.Ordinal);
        Assert.Contains("| server | build | ms to first response | vs 50 ms | RSS at first response | vs 15 MB | spawns (ms) |", md, StringComparison.Ordinal);
        Assert.Contains("| epoll | JIT | 100.0 | 2.00× | 30.0 MB | 2.00× | 90.0 / 100.0 / 110.0 |", md, StringComparison.Ordinal);
        Assert.Contains($"| epoll | AOT | **failed: {NotPublished}** |", md, StringComparison.Ordinal);
        Assert.Contains("| kestrel | JIT | 250.0 | 5.00× |", md, StringComparison.Ordinal);
        Assert.Contains("| nginx | native | **not installed** |", md, StringComparison.Ordinal);
        Assert.Contains($"- **epoll (AOT)**, `startup-http`: failed: {NotPublished}", md, StringComparison.Ordinal);
        Assert.DoesNotContain("AOT against JIT", md, StringComparison.Ordinal);

        string published = MarkdownReport.Render(Report(aotPublished: true), []);
        Assert.Contains("| epoll | AOT | 10.0 | 0.20× | 7.5 MB | 0.50× | 10.0 / 10.0 / 10.0 |", published, StringComparison.Ordinal);
        Assert.Contains("AOT against JIT (netloop epoll): 0.10× the time to first response, 0.25× the RSS.", published, StringComparison.Ordinal);
        Assert.DoesNotContain("epoll (AOT)**", published, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_results_round_trip_through_results_json()
    {
        var report = Report(aotPublished: true);
        string folder = Directory.CreateTempSubdirectory("netloop-startup-report-").FullName;
        try
        {
            await ReportWriter.WriteAsync(report, folder);
            var back = ReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.ResultsFile)));
            var aot = back!.Results.Single(r => r.Server == "epoll (AOT)").Median!.Startup!;
            Assert.Equal("AOT", aot.Build);
            Assert.Equal(10, aot.MillisecondsToFirstResponse);
            Assert.Equal(3, aot.SpawnRssBytes.Count);
            Assert.Equal("Startup", back.Cases.Single().Kind);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The real thing, one round against the JIT build (and the AOT binary when it has been published): every figure
    /// recorded is positive. Bounded in time; no assertion on speed.
    /// </summary>
    [Fact]
    public async Task One_round_against_the_jit_build_records_a_time_and_an_rss_for_http_and_echo()
    {
        string folder = Directory.CreateTempSubdirectory("netloop-startup-e2e-").FullName;
        try
        {
            await using var cli = CliProcess.Start(output, "bench", "--cases", "startup", "--servers", "epoll", "--rounds", "1", "--output", folder);
            Assert.True(await cli.WaitForExitAsync(s_runLimit), $"netloop bench did not finish within {s_runLimit}:\n{cli.Transcript()}");
            Assert.True(cli.ExitCode == 0, $"exit code {cli.ExitCode}:\n{cli.Transcript()}");

            var report = ReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.ResultsFile)));
            Assert.NotNull(report);
            foreach (string caseName in new[] { "startup-http", "startup-echo" })
            {
                var jit = report.Results.Single(r => r.Server == "epoll" && r.Case == caseName);
                Assert.True(jit.Status == CaseStatus.Ok, $"{caseName}: {jit.Failure}");
                var startup = jit.Median!.Startup!;
                Assert.Equal("JIT", startup.Build);
                Assert.Equal(BenchRunner.StartupSpawnsPerRound, startup.SpawnMilliseconds.Count);
                Assert.All(startup.SpawnMilliseconds, ms => Assert.True(ms > 0));
                Assert.All(startup.SpawnRssBytes, rss => Assert.True(rss > 0));

                // Either measured (the binary was published on this machine) or a failure naming the publish command.
                var aot = report.Results.Single(r => r.Server == "epoll (AOT)" && r.Case == caseName);
                if (aot.Median?.Startup is { } native) Assert.True(native.MillisecondsToFirstResponse > 0 && native.RssBytes > 0);
                else Assert.Equal(NotPublished, aot.Failure);
            }
            string md = await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.ReportFile));
            Assert.Contains("| epoll | JIT | ", md, StringComparison.Ordinal);
            Assert.Contains("| epoll | AOT | ", md, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static StartupMeasurement Startup(string build, double milliseconds, long rss) => new()
    {
        Build = build,
        Command = "netloop serve",
        MillisecondsToFirstResponse = milliseconds,
        RssBytes = rss,
        SpawnMilliseconds = [milliseconds - (build == "AOT" ? 0 : 10), milliseconds, milliseconds + (build == "AOT" ? 0 : 10)],
        SpawnRssBytes = [rss, rss, rss],
    };

    private static BenchReport Report(bool aotPublished)
    {
        var entry = CaseCatalog.All(100).Single(c => c.Name == "startup-http");
        var results = new List<CaseResult>
        {
            Medians.Summarize("epoll", entry.Name, [new Measurement { Round = 1, Ok = true, Startup = Startup("JIT", 100, 30_000_000) }], "unused"),
            aotPublished
                ? Medians.Summarize("epoll (AOT)", entry.Name, [new Measurement { Round = 1, Ok = true, Startup = Startup("AOT", 10, 7_500_000) }], "unused")
                : Medians.Summarize("epoll (AOT)", entry.Name, [new Measurement { Round = 1, Ok = false, Failure = NotPublished }], "unused"),
            Medians.Summarize("kestrel", entry.Name, [new Measurement { Round = 1, Ok = true, Startup = Startup("JIT", 250, 60_000_000) }], "unused"),
            Medians.Summarize("nginx", entry.Name, [], "not installed"),
        };
        return new BenchReport
        {
            Command = "netloop bench --cases startup-http",
            StartedUtc = new DateTimeOffset(2026, 11, 23, 19, 0, 0, TimeSpan.Zero),
            Machine = new MachineInfo { Cores = 2, CpuModel = "Test CPU", Kernel = "6.18.0", Dotnet = ".NET 10.0.0", Pinning = "server on cpu 0 (taskset), load on cpu 1 (taskset)" },
            Settings = new BenchSettings { Rounds = 1, DurationSeconds = 10 },
            Servers = new[] { "epoll", "kestrel", "nginx" }.Select(name => new ServerEntry
            {
                Name = name,
                Family = Server(name).Family.ToString(),
                Available = name != "nginx",
                Status = name != "nginx" ? "ready" : "not installed",
            }).ToList(),
            Cases = [new CaseEntry { Name = entry.Name, Family = entry.Family, Kind = entry.Kind.ToString(), Protocol = entry.Protocol.ToString(), Title = entry.Title, Connections = 1 }],
            Results = results,
        };
    }
}
