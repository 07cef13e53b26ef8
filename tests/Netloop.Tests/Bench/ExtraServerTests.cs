using Netloop.Bench.Cases;
using Netloop.Bench.Report;
using Netloop.Bench.Running;
using Netloop.Bench.Servers;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Bench;

/// <summary>
/// Servers a run adds to the catalog: another netloop build (<c>--extra-netloop NAME=PATH</c>, the "before" of a
/// before/after comparison) and this build's epoll mode behind one pass-through middleware (<c>--passthrough-middleware</c>).
/// The parser and the commands in memory; one short real run with the same build twice. Nothing asserts on speed.
/// </summary>
public sealed class ExtraServerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_runLimit = TimeSpan.FromMinutes(5);

    [Fact]
    public void An_extra_build_is_parsed_from_name_and_path_and_runs_serve_in_epoll_mode()
    {
        string path = CliProcess.CliPath;
        Assert.True(ExtraServers.TryParse($"before={path}", ServerCatalog.All.Select(s => s.Name), out var spec, out string? error), error);
        Assert.Equal("before", spec!.Name);
        Assert.Equal(ServerFamily.Netloop, spec.Family);
        Assert.Equal("epoll", spec.ModeName);
        Assert.Equal(Path.GetFullPath(path), spec.NetloopPath);
        Assert.Contains(path, spec.Description, StringComparison.Ordinal);

        var launcher = new ServerLauncher(new NetloopExecutable(new ProcessCommand("/usr/bin/this-build", [])), null, Path.GetTempPath(), Path.GetTempPath());
        var command = launcher.Command(spec, LoadProtocol.Http, 7000, 1024, TimeSpan.FromMinutes(1));
        // A dll runs under the dotnet host; the mode is epoll whatever the name.
        Assert.Equal(DotnetHost.Path, command.FileName);
        Assert.Equal([Path.GetFullPath(path), "serve", "--mode", "epoll", "--protocol", "http"], command.Arguments.Take(6));

        var apphost = ExtraServers.Executable("/opt/before/Netloop.Cli").Run(["--version"]);
        Assert.Equal("/opt/before/Netloop.Cli", apphost.FileName);
        Assert.Equal(["--version"], apphost.Arguments);

        // This build's own modes still run this build, with their own name as the mode.
        var own = launcher.Command(ServerCatalog.All.First(s => s.Name == "poll"), LoadProtocol.Echo, 7000, 1024, TimeSpan.FromMinutes(1));
        Assert.Equal("/usr/bin/this-build", own.FileName);
        Assert.Equal(["serve", "--mode", "poll"], own.Arguments.Take(3));
    }

    [Theory]
    [InlineData("before")] // no path
    [InlineData("=/bin/true")] // no name
    [InlineData("Before=/bin/true")] // not lower-case
    [InlineData("epoll=/bin/true")] // a catalog name
    [InlineData("before=/no/such/netloop")] // missing file
    public void Bad_values_are_refused_with_a_message_naming_the_value(string value)
    {
        Assert.False(ExtraServers.TryParse(value, ServerCatalog.All.Select(s => s.Name), out var spec, out string? error));
        Assert.Null(spec);
        Assert.StartsWith($"--extra-netloop '{value}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Extras_are_visited_right_after_this_builds_modes_and_before_the_peers()
    {
        var catalog = ServerCatalog.All.Where(s => s.Name is "epoll" or "poll" or "kestrel" or "c").ToList();
        Assert.True(ExtraServers.TryParse($"before={CliProcess.CliPath}", [], out var before, out _));
        var order = ExtraServers.Insert(catalog, [ExtraServers.Passthrough, before!]);
        Assert.Equal(["epoll", "poll", "epoll-mw", "before", "kestrel", "c"], order.Select(s => s.Name));
        Assert.Equal(["before", "kestrel"], ExtraServers.Insert(catalog.Where(s => s.Name == "kestrel").ToList(), [before!]).Select(s => s.Name));
    }

    [Fact]
    public void The_passthrough_variant_is_this_build_in_epoll_mode_with_one_middleware()
    {
        var launcher = new ServerLauncher(new NetloopExecutable(new ProcessCommand("/usr/bin/this-build", [])), null, Path.GetTempPath(), Path.GetTempPath());
        var command = launcher.Command(ExtraServers.Passthrough, LoadProtocol.Http, 7000, 1024, TimeSpan.FromMinutes(1));
        Assert.Equal("/usr/bin/this-build", command.FileName);
        Assert.Equal(["serve", "--mode", "epoll"], command.Arguments.Take(3));
        Assert.Equal(["--middleware", "passthrough"], command.Arguments.TakeLast(2));
    }

    [Fact]
    public async Task A_server_that_exits_at_once_is_reported_with_its_exit_code_and_last_line()
    {
        // A server that refuses its arguments (a build too old for an option, say) exits at once with a usage error.
        string log = Path.Combine(Path.GetTempPath(), $"netloop-exits-{Guid.NewGuid():N}.log");
        try
        {
            var command = new ProcessCommand("/bin/sh", ["-c", "echo 'netloop: error: no pipeline' >&2; exit 2"]);
            var (server, failure) = await ServerProcess.StartAsync(command, BenchRunner.FreePort(), LoadProtocol.Http, waitForOutput: true, log, TimeSpan.FromSeconds(30), CancellationToken.None);
            Assert.Null(server);
            Assert.Equal("did not start (exit code 2): netloop: error: no pipeline", failure);
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public async Task One_run_measures_two_netloop_builds_side_by_side_and_reports_both()
    {
        string folder = Directory.CreateTempSubdirectory("netloop-bench-extra-").FullName;
        try
        {
            await using var cli = CliProcess.Start(output,
                "bench", "--servers", "epoll", "--extra-netloop", $"twin={CliProcess.CliPath}", "--passthrough-middleware",
                "--cases", "plaintext-256,idle", "--idle", "200", "--rounds", "1", "--duration", "1s", "--warmup", "0", "--output", folder);
            Assert.True(await cli.WaitForExitAsync(s_runLimit), $"netloop bench did not finish within {s_runLimit}:\n{cli.Transcript()}");
            Assert.True(cli.ExitCode == 0, $"exit code {cli.ExitCode}:\n{cli.Transcript()}");

            var report = ReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.ResultsFile)));
            Assert.NotNull(report);
            Assert.Equal(["epoll", "epoll-mw", "twin"], report.Servers.Select(s => s.Name));
            var twin = report.Servers.Single(s => s.Name == "twin");
            Assert.True(twin.Available, twin.Status);
            Assert.Contains(CliProcess.CliPath, twin.Version ?? "", StringComparison.Ordinal); // its --version and path

            foreach (string name in new[] { "epoll", "twin" })
            {
                // One second of load on a loaded machine may complete nothing: the row must be there, measured or failed
                // with a reason; when measured, it carries the allocation figure read from the build's SIGUSR2 line.
                var plaintext = report.Results.Single(r => r.Server == name && r.Case == "plaintext-256");
                Assert.True(plaintext.Median is { RequestsPerSecond: > 0 } || !string.IsNullOrEmpty(plaintext.Failure), $"{name}: {plaintext.Status}");
                if (plaintext.Median is { RequestsPerSecond: > 0 } measured) Assert.NotNull(measured.AllocatedBytesPerRequest);
                var idle = report.Results.Single(r => r.Server == name && r.Case == "idle");
                Assert.True(idle.Median?.Idle is not null, $"{name}: {idle.Status} {idle.Failure}");
                Assert.True(idle.Median.Idle.RssColdBytes > 0 && idle.Median.Idle.RssBeforeBytes > 0, name);
            }

            // The pass-through middleware variant is measured like any server (or fails with a reason, as above).
            var middleware = report.Results.Single(r => r.Server == "epoll-mw" && r.Case == "plaintext-256");
            Assert.True(middleware.Median is { RequestsPerSecond: > 0 } || !string.IsNullOrEmpty(middleware.Failure), $"epoll-mw: {middleware.Status}");
            if (middleware.Median is { RequestsPerSecond: > 0 } withMiddleware) Assert.NotNull(withMiddleware.AllocatedBytesPerRequest);

            string md = await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.ReportFile));
            Assert.Contains("| twin |", md, StringComparison.Ordinal);
            Assert.Contains("| epoll-mw |", md, StringComparison.Ordinal);
            string summary = await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.SummaryFile));
            Assert.Contains("twin", summary, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
