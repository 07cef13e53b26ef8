using System.CommandLine;
using System.CommandLine.Parsing;
using Netloop.Bench;
using Netloop.Bench.Experiment;
using Netloop.Cli.Parsing;
using Netloop.Hosting;

namespace Netloop.Cli.Commands;

/// <summary>
/// <c>netloop bench experiment</c>: the async experiment (issue P5). Every async design and the reactor and baseline
/// modes serve the original test pattern, N batches of M simultaneous short-lived clients, while the server's RSS is
/// sampled; each server stops by itself after its last connection and audits its shutdown. Writes results.json,
/// report.md (with "which designs meet the three promises") and an RSS-over-time chart. Exit 0 when every mode ran
/// (whatever it leaked: that is the finding), 1 when interrupted or a server could not start, 2 for a bad command line.
/// </summary>
internal sealed class ExperimentCommand : Command
{
    private readonly Option<int?> _batches = new("--batches")
    {
        Description = "Batches of simultaneous clients, each awaited before the next. Default: 20.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, 100_000),
    };

    private readonly Option<int?> _clients = new("--clients")
    {
        Description = "Simultaneous clients per batch (each sends a line, half-closes and reads the echo). Default: 100.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, 10_000),
    };

    private readonly Option<TimeSpan?> _handlerDelay = new("--handler-delay")
    {
        Description = "The handler's slow work after the echo (serve --handler-delay). Default: 100ms.",
        HelpName = "duration",
        CustomParser = DurationParser.Parse,
    };

    private readonly Option<string?> _modes = new("--modes")
    {
        Description = $"Comma-separated modes, in run order: {string.Join(", ", ExperimentSuite.AllModes)}, or all. Default: all.",
        HelpName = "list",
        CustomParser = ParseModes,
    };

    private readonly Option<TimeSpan?> _modeTimeout = new("--mode-timeout")
    {
        Description = "Longest one mode may take; past it its clients stop and its server is told to stop (the serial designs hit it). Default: 60s.",
        HelpName = "duration",
        CustomParser = DurationParser.Parse,
    };

    private readonly Option<string?> _output = new("--output")
    {
        Description = "Folder for results.json, report.md, the chart and logs/. Default: bench/results/experiment-<UTC timestamp> in the repository, else bench-results/experiment-<UTC timestamp> here.",
        HelpName = "dir",
    };

    private readonly Option<int?> _serverCpu = new("--server-cpu")
    {
        Description = "Core the servers are pinned to (taskset). Default: 0 on a machine with two cores or more.",
        HelpName = "cpu",
        CustomParser = IntegerParser.InRange(0, Environment.ProcessorCount - 1),
    };

    /// <summary>Creates the command with its options and action.</summary>
    public ExperimentCommand()
        : base("experiment", "The async experiment: every async design and the reactor modes under N batches of M short-lived clients, judged on the three promises (concurrency, no leaks at shutdown, steady memory).")
    {
        Add(_batches);
        Add(_clients);
        Add(_handlerDelay);
        Add(_modes);
        Add(_modeTimeout);
        Add(_output);
        Add(_serverCpu);
        SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        string? repository = RepositoryRoot.Find(Environment.CurrentDirectory, AppContext.BaseDirectory);
        string defaultOutput = RepositoryRoot.DefaultOutput(repository, DateTimeOffset.UtcNow);
        defaultOutput = Path.Combine(Path.GetDirectoryName(defaultOutput)!, "experiment-" + Path.GetFileName(defaultOutput));
        var options = new ExperimentOptions
        {
            Command = "netloop " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            CliAssemblyPath = Path.Combine(AppContext.BaseDirectory, typeof(ExperimentCommand).Assembly.GetName().Name + ".dll"),
            Modes = (parseResult.GetValue(_modes) ?? "all") is var list && list == "all" ? ExperimentSuite.AllModes : SplitModes(list),
            Batches = parseResult.GetValue(_batches) ?? 20,
            Clients = parseResult.GetValue(_clients) ?? 100,
            HandlerDelay = parseResult.GetValue(_handlerDelay) ?? TimeSpan.FromMilliseconds(100),
            ModeTimeout = parseResult.GetValue(_modeTimeout) ?? TimeSpan.FromSeconds(60),
            OutputDirectory = Path.GetFullPath(parseResult.GetValue(_output) ?? defaultOutput),
            ServerCpu = parseResult.GetValue(_serverCpu) ?? (Environment.ProcessorCount >= 2 ? 0 : null),
        };
        if (!await OutputFolder.TryCreateAsync(options.OutputDirectory).ConfigureAwait(false)) return ExitCodes.Failure;

        using var shutdown = new ShutdownSignal();
        using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watcher = shutdown.WaitAsync(interrupted.Token).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully && t.Result != "cancellation") interrupted.Cancel();
        }, TaskScheduler.Default);
        try
        {
            var (report, path) = await ExperimentSuite.RunAsync(options, Console.Out, interrupted.Token).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"report: {path}").ConfigureAwait(false);
            return report.Results.Any(r => r.ShutdownVerdict.StartsWith("server did not start", StringComparison.Ordinal)) ? ExitCodes.Failure : ExitCodes.Success;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatFailure("experiment interrupted")).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        finally
        {
            if (!interrupted.IsCancellationRequested) await interrupted.CancelAsync().ConfigureAwait(false);
            try
            {
                await watcher.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static string[] SplitModes(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string? ParseModes(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        if (token == "all") return token;
        foreach (string mode in SplitModes(token))
        {
            if (!ExperimentSuite.AllModes.Contains(mode, StringComparer.Ordinal))
            {
                result.AddError($"unknown mode '{mode}' (expected {string.Join(", ", ExperimentSuite.AllModes)}, or all)");
                return null;
            }
        }
        return SplitModes(token).Length == 0 ? InvalidValue.Report<string?>(result, "at least one mode") : token;
    }
}
