using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Netloop.Bench.Report;
using Netloop.Bench.Running;
using Netloop.Baselines;

namespace Netloop.Bench.Experiment;

/// <summary><c>netloop bench experiment</c>: runs every mode, then writes results.json, report.md and the RSS chart.</summary>
internal static class ExperimentSuite
{
    /// <summary>Every mode the experiment knows, in run order: the async designs, then the reactor and baseline modes.</summary>
    public static IReadOnlyList<string> AllModes { get; } =
        ServerModes.All.OrderBy(mode => !mode.IsAsyncDesign()).Select(mode => mode.Name()).ToArray();

    /// <summary>Runs <paramref name="options"/>; returns the report and where report.md went.</summary>
    public static async Task<(ExperimentReport Report, string ReportPath)> RunAsync(ExperimentOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        string output = Path.GetFullPath(options.OutputDirectory);
        string logs = Path.Combine(output, "logs");
        Directory.CreateDirectory(logs);
        long fileLimit = Posix.RaiseOpenFileLimit();
        var pinning = CpuPinning.Detect(options.ServerCpu, loadCpu: null);
        var netloop = NetloopExecutable.ForCurrentProcess(options.CliAssemblyPath);
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"netloop bench experiment: {options.Modes.Count} modes × {options.Batches} batches × {options.Clients} clients, handler delay {options.HandlerDelay.TotalMilliseconds:0} ms; {pinning.Describe()}; output {output}"));

        var runner = new ExperimentRunner(options, netloop, pinning, logs, progress);
        var results = await runner.RunAsync(cancellationToken).ConfigureAwait(false);
        var machine = MachineProbe.Read(pinning.Describe(), fileLimit);
        var report = new ExperimentReport
        {
            Command = options.Command,
            StartedUtc = started,
            ElapsedSeconds = clock.Elapsed.TotalSeconds,
            Batches = options.Batches,
            Clients = options.Clients,
            HandlerDelayMs = options.HandlerDelay.TotalMilliseconds,
            ModeTimeoutSeconds = options.ModeTimeout.TotalSeconds,
            Machine = $"{machine.Cores} cores ({machine.CpuModel}), Linux {machine.Kernel}, {machine.Dotnet}; {machine.Pinning}",
            Results = results,
        };
        await File.WriteAllTextAsync(Path.Combine(output, "results.json"), JsonSerializer.Serialize(report, ExperimentJsonContext.Default.ExperimentReport), cancellationToken).ConfigureAwait(false);
        string? chart = ExperimentChart.Write(report, output);
        string reportPath = Path.Combine(output, "report.md");
        await File.WriteAllTextAsync(reportPath, ExperimentMarkdown.Render(report, chart), cancellationToken).ConfigureAwait(false);
        return (report, reportPath);
    }
}
