using System.Diagnostics;
using Netloop.Bench.Cases;
using Netloop.Bench.Report;
using Netloop.Bench.Running;
using Netloop.Bench.Servers;

namespace Netloop.Bench;

/// <summary>How a run ended.</summary>
/// <param name="Report">Everything measured.</param>
/// <param name="ReportPath">report.md.</param>
/// <param name="AnyMeasured">True when at least one server completed at least one case: false means nothing could run at all.</param>
internal sealed record BenchOutcome(BenchReport Report, string ReportPath, bool AnyMeasured);

/// <summary>
/// <c>netloop bench</c> from start to end: raises the file limit, finds the peers, runs the plan, and writes
/// results.json, report.md and the charts into the output folder (logs of every server and load under <c>logs/</c>).
/// </summary>
internal static class BenchSuite
{
    /// <summary>Runs <paramref name="options"/>; <paramref name="progress"/> gets one line per measurement.</summary>
    public static async Task<BenchOutcome> RunAsync(BenchOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        string output = Path.GetFullPath(options.OutputDirectory);
        string logs = Path.Combine(output, "logs");
        Directory.CreateDirectory(logs);
        string scratch = Directory.CreateTempSubdirectory("netloop-bench-").FullName;
        try
        {
            long fileLimit = Posix.RaiseOpenFileLimit();
            var pinning = CpuPinning.Detect(options.ServerCpu, options.LoadCpu);
            var netloop = NetloopExecutable.ForCurrentProcess(options.CliAssemblyPath);
            var launcher = new ServerLauncher(netloop, options.RepositoryRoot, scratch, logs);
            var load = new LoadRunner(netloop, pinning, logs);
            var h2load = new H2LoadRunner(CpuPinning.FindOnPath("h2load"), pinning, logs);
            var plan = new BenchPlan(options.Servers, options.Cases, options.Rounds, options.Duration, options.Warmup, options.SoakDuration, fileLimit > 0 ? fileLimit : 1024)
            {
                Http2Servers = options.Http2Servers,
            };
            progress.WriteLine($"netloop bench: {options.Servers.Count} servers × {options.Cases.Count} cases × {options.Rounds} rounds, {Format.Duration(options.Duration.TotalSeconds)} per case; {pinning.Describe()}; output {output}");

            var runner = new BenchRunner(plan, launcher, load, h2load, pinning, logs, progress);
            var (servers, results) = await runner.RunAsync(cancellationToken).ConfigureAwait(false);

            var report = new BenchReport
            {
                Command = options.Command,
                StartedUtc = started,
                ElapsedSeconds = clock.Elapsed.TotalSeconds,
                Interrupted = cancellationToken.IsCancellationRequested,
                Machine = MachineProbe.Read(pinning.Describe(), fileLimit),
                Settings = new BenchSettings
                {
                    Quick = options.Quick,
                    Rounds = options.Rounds,
                    DurationSeconds = options.Duration.TotalSeconds,
                    WarmupSeconds = options.Warmup.TotalSeconds,
                    IdleConnections = options.IdleConnections,
                    IdleH2Connections = options.IdleH2Connections ?? options.IdleConnections,
                    SoakDurationSeconds = options.SoakDuration.TotalSeconds,
                },
                Servers = servers,
                Cases = options.Cases.Select(ToEntry).ToList(),
                Results = results,
            };
            string path = await ReportWriter.WriteAsync(report, output).ConfigureAwait(false);
            return new BenchOutcome(report, path, results.Any(r => r.Median is not null));
        }
        finally
        {
            try
            {
                Directory.Delete(scratch, recursive: true);
            }
            catch (IOException)
            {
                // An nginx still writing its log as it dies; the temp folder is left for the OS to clean.
            }
        }
    }

    /// <summary>A case as results.json records it.</summary>
    internal static CaseEntry ToEntry(BenchCase c) => new()
    {
        Name = c.Name,
        Family = c.Family,
        Kind = c.Kind.ToString(),
        Protocol = c.Protocol.ToString(),
        Title = c.Title,
        Connections = c.Connections,
        Pipeline = c.Pipeline,
        RequestsPerConnection = c.RequestsPerConnection,
        PayloadBytes = c.PayloadBytes,
    };
}
