using Netloop.Bench;
using Netloop.Bench.Cases;
using Netloop.Bench.Running;

namespace Netloop.Tests.Bench.Running;

/// <summary>The small parts the runner stands on: reading /proc, re-launching netloop, load arguments and results.</summary>
public sealed class BenchPlumbingTests
{
    private const string LoadJson = """
        {
          "target": "http://127.0.0.1:8080/plaintext",
          "protocol": "http",
          "connections": 256,
          "pipeline": 1,
          "durationSeconds": 10.01,
          "requests": 1500000,
          "connectionsOpened": 256,
          "requestsPerSecond": 149850.1,
          "megabytesPerSecond": 21.3,
          "latency": { "meanUs": 1700, "p50Us": 1600, "p90Us": 2100, "p99Us": 3900, "p999Us": 6000, "maxUs": 12000 },
          "errors": { "connectRefused": 0, "connectFailed": 0, "reset": 2, "timeout": 1, "badStatus": 0, "shortRead": 0, "corrupt": 0, "total": 3 },
          "monitor": {
            "pid": 4242, "rssStartBytes": 40000000, "rssPeakBytes": 48000000, "rssEndBytes": 47000000,
            "rssSlopeKbPerMinute": 1.5, "verdict": "steady", "cpuSeconds": 9.5, "peakThreads": 10, "peakOpenFds": 300,
            "samples": [ { "timeMs": 0, "rssBytes": 40000000, "cpuPercent": 0, "threads": 10, "openFds": 290 } ]
          },
          "someFieldAddedLater": true
        }
        """;

    [Fact]
    public void Load_result_json_is_read_with_the_monitor_and_future_fields_ignored()
    {
        var result = LoadRunner.Parse(LoadJson, out string? error);

        Assert.Null(error);
        Assert.NotNull(result);
        Assert.Equal(1_500_000, result.Requests);
        Assert.Equal(3_900, result.Latency.P99Us);
        Assert.Equal(3, result.Errors.Total);
        Assert.Equal(9.5, result.Monitor!.CpuSeconds);
        Assert.Single(result.Monitor.Samples);
        Assert.Equal("reset 2, timeout 1", BenchRunner.ErrorSummary(result.Errors));
    }

    [Theory]
    [InlineData("")]
    [InlineData("netloop: error: unknown option --idle")]
    [InlineData("{ \"target\": ")]
    public void Output_that_is_not_a_load_result_is_a_reason_not_an_exception(string stdout)
    {
        Assert.Null(LoadRunner.Parse(stdout, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Load_arguments_follow_the_netloop_load_contract()
    {
        var cases = CaseCatalog.All(5_000).ToDictionary(c => c.Name);

        string pipelined = string.Join(' ', LoadRequest.For(cases["pipelined-256"], 8080, TimeSpan.FromSeconds(10), 42).Arguments());
        Assert.Equal("load --target http://127.0.0.1:8080/plaintext --connections 256 --duration 10000ms --pipeline 16 --monitor-pid 42 --loops 1 --no-progress --json", pipelined);

        string echo = string.Join(' ', LoadRequest.For(cases["echo-64"], 7000, TimeSpan.FromSeconds(3), null).Arguments());
        Assert.Equal("load --target tcp://127.0.0.1:7000 --connections 64 --duration 3000ms --payload 4096 --loops 1 --no-progress --json", echo);

        string churn = string.Join(' ', LoadRequest.For(cases["churn-256"], 1, TimeSpan.FromSeconds(1), null).Arguments());
        Assert.Contains("--requests-per-connection 10 --source-addresses 127.0.0.1-127.0.0.16", churn, StringComparison.Ordinal);

        string idle = string.Join(' ', LoadRequest.For(cases["idle"], 1, TimeSpan.FromSeconds(1), null).Arguments());
        Assert.Contains("--connections 5000", idle, StringComparison.Ordinal);
        Assert.Contains("--idle", idle, StringComparison.Ordinal);
        Assert.Contains("/plaintext", idle, StringComparison.Ordinal);
    }

    [Fact]
    public void Netloop_is_relaunched_through_dotnet_with_the_dll_or_directly_as_the_apphost()
    {
        var underDotnet = NetloopExecutable.Resolve("/usr/share/dotnet/dotnet", "/x/Netloop.Cli.dll", "/other/dotnet");
        Assert.Equal("/usr/share/dotnet/dotnet", underDotnet.Command.FileName);
        Assert.Equal(["/x/Netloop.Cli.dll", "serve"], underDotnet.Run(["serve"]).Arguments);

        var apphost = NetloopExecutable.Resolve("/x/bin/Netloop.Cli", "/x/Netloop.Cli.dll", "/other/dotnet");
        Assert.Equal("/x/bin/Netloop.Cli", apphost.Command.FileName);
        Assert.Equal(["load"], apphost.Run(["load"]).Arguments);
    }

    [Fact]
    public void Pinning_uses_taskset_when_present_and_load_cpu_otherwise()
    {
        var command = new ProcessCommand("/bin/netloop", ["load"]);
        var withTaskset = new CpuPinning("/usr/bin/taskset", 0, 1);
        Assert.Equal("/usr/bin/taskset -c 1 /bin/netloop load", withTaskset.Load(command).ToString());
        Assert.Equal("/usr/bin/taskset -c 0 /bin/netloop load", withTaskset.Server(command).ToString());

        var without = new CpuPinning(null, 0, 1);
        Assert.Equal("/bin/netloop load --cpu 1", without.Load(command).ToString());
        Assert.Equal("/bin/netloop load", without.Server(command).ToString());
        Assert.Contains("unpinned", without.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void This_process_tree_has_memory_cpu_threads_and_fds()
    {
        var usage = ProcessTree.Read([Environment.ProcessId]);

        Assert.True(usage.Processes >= 1);
        Assert.True(usage.RssBytes > 1 << 20);
        Assert.True(usage.CpuSeconds > 0);
        Assert.True(usage.Threads > 1);
        Assert.True(usage.OpenFds > 0);
        Assert.Equal(0, ProcessTree.Read([int.MaxValue]).Processes);
    }

    [Fact]
    public void Each_tree_is_the_load_samplers_reading_and_a_root_given_twice_is_read_once()
    {
        using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sleep", "30") { UseShellExecute = false })!;
        try
        {
            // The child may still be exec'ing sleep, its RSS moving between two reads: compare a tree reading taken
            // between two sampler readings that agree.
            var sampler = new Netloop.Load.Monitoring.ProcessTreeSampler(child.Id);
            Netloop.Load.Monitoring.ProcessTreeReading reading = default, after = default;
            TreeUsage alone = default;
            for (int attempt = 0; attempt < 100; attempt++)
            {
                Assert.True(sampler.TryRead(out reading));
                alone = ProcessTree.Read([child.Id]);
                Assert.True(sampler.TryRead(out after));
                if (after.RssBytes == reading.RssBytes && after.Threads == reading.Threads && after.OpenFds == reading.OpenFds) break;
                Thread.Sleep(20);
            }
            Assert.Equal(reading.RssBytes, alone.RssBytes);
            Assert.Equal(reading.Threads, alone.Threads);
            Assert.Equal(reading.OpenFds, alone.OpenFds);
            Assert.Equal(1, alone.Processes);

            // This process's tree holds sleep too; a root given twice is read once.
            var tree = ProcessTree.Read([Environment.ProcessId]);
            Assert.True(tree.Processes >= 2);
            Assert.Equal(tree.Processes, ProcessTree.Read([Environment.ProcessId, Environment.ProcessId]).Processes);
            // Trees are summed (the bench's roots are separate servers), and a root that does not exist adds nothing.
            Assert.Equal(tree.Processes + alone.Processes, ProcessTree.Read([Environment.ProcessId, int.MaxValue, child.Id]).Processes);
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
    }

    [Fact]
    public void Repository_root_is_found_from_the_test_folder_and_outputs_go_under_bench_results()
    {
        string? root = RepositoryRoot.Find(AppContext.BaseDirectory);
        Assert.NotNull(root);
        Assert.True(File.Exists(Path.Combine(root, "Netloop.sln")));
        string output = RepositoryRoot.DefaultOutput(root, new DateTimeOffset(2026, 11, 23, 18, 5, 9, TimeSpan.Zero));
        Assert.Equal(Path.Combine(root, "bench", "results", "20261123-180509"), output);
    }
}
