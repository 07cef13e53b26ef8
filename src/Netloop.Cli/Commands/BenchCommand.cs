using System.CommandLine;
using System.CommandLine.Parsing;
using Netloop.Bench;
using Netloop.Bench.Cases;
using Netloop.Bench.Servers;
using Netloop.Cli.Parsing;
using Netloop.Hosting;

namespace Netloop.Cli.Commands;

/// <summary>
/// <c>netloop bench</c>: the comparison in one command. Starts each server itself (Netloop in every mode, the Kestrel
/// peer, nginx when installed, the C reference servers built with gcc), drives it with <c>netloop load</c> on another
/// core, and writes results.json, report.md and PNG charts. A server or case that fails is reported as such; the exit
/// code is 0 when the run completed, 1 when nothing at all could be measured (or it was interrupted), 2 for a bad
/// command line.
/// </summary>
internal sealed class BenchCommand : Command
{
    private const string Synopsis =
        "Compare Netloop's modes with Kestrel, nginx and a minimal C epoll server (the limit), over echo, HTTP/1.1 and HTTP/2 (h2c, driven by h2load): requests/s, server CPU and allocated bytes per request, latency, memory per idle connection; writes results.json, report.md and charts.";

    private static readonly TimeSpan s_duration = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_quickDuration = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_warmup = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_quickWarmup = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_soakDuration = TimeSpan.FromMinutes(10);
    private const int DefaultRounds = 3;
    private const int DefaultIdle = 10_000;

    // The comparison the HTTP/2 targets are about; --quick without --servers keeps its HTTP/2 cases to these.
    private static readonly IReadOnlySet<string> s_quickHttp2Servers = new HashSet<string>(StringComparer.Ordinal) { "epoll", ServerCatalog.Kestrel, ServerCatalog.Nginx };

    // Pinning needs two cores; on one, everything shares it and the report says "unpinned".
    private static readonly int? s_defaultServerCpu = Environment.ProcessorCount >= 2 ? 0 : null;
    private static readonly int? s_defaultLoadCpu = Environment.ProcessorCount >= 2 ? 1 : null;

    private readonly Option<bool> _quick = new("--quick")
    {
        Description = "A ~3-minute subset for developers: cases echo-256, plaintext-256, pipelined-256, idle, startup-http, startup-echo, h2-plaintext-100 and h2-idle, 1 round, 3s per case, 1s warm-up (each still overridable); without --servers, the HTTP/2 cases run against epoll, kestrel and nginx only (the others show –).",
    };

    private readonly Option<IReadOnlyList<ServerSpec>?> _servers = new("--servers")
    {
        Description = $"Comma-separated servers to compare, visited in this order each round: {ServerCatalog.Names}, or all. Default: all (nginx is reported as not installed when missing; c, built from the clone's bench/limit or $NETLOOP_REFERENCE_DIR, as not available without gcc or the sources).",
        HelpName = "list",
        CustomParser = ParseServers,
    };

    private readonly Option<string[]> _extraNetloop = new("--extra-netloop")
    {
        Description = "Also measure another netloop build, NAME=PATH (its Netloop.Cli apphost or dll), e.g. before=../old-clone/src/Netloop.Cli/bin/Release/net10.0/Netloop.Cli: it runs serve --mode epoll, is visited each round right after this build's modes, and is reported under NAME. Repeatable.",
        HelpName = "name=path",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<bool> _passthroughMiddleware = new("--passthrough-middleware")
    {
        Description = $"Also measure this build's epoll mode with one pass-through middleware in front of every handler, reported as {ExtraServers.PassthroughName} (its allocation per request beside epoll's).",
    };

    private readonly Option<string?> _cases = new("--cases")
    {
        Description = $"Comma-separated cases, families or groups: {CaseCatalog.Names}. h2 is every HTTP/2 case: h2-plaintext-100 (h2load GET /plaintext -c 100 -m 10), h2-plaintext-16 (-c 16 -m 100), h2-json-100 (GET /json -c 100 -m 10), driven by h2load (nghttp2-client), and h2-idle (memory per idle HTTP/2 connection after the SETTINGS exchange); the C limit speaks no HTTP/2 and shows –. Default: all but soak; the soak runs only when named, once per server, after the rounds.",
        HelpName = "list",
        CustomParser = ParseCases,
    };

    private readonly Option<TimeSpan?> _duration = new("--duration")
    {
        Description = $"Load time per case and round; the idle case holds its connections this long. Default: {DurationParser.Format(s_duration)} ({DurationParser.Format(s_quickDuration)} with --quick).",
        HelpName = "duration",
        CustomParser = ParsePositiveDuration,
    };

    private readonly Option<TimeSpan?> _warmup = new("--warmup")
    {
        Description = $"Unmeasured load after each server start (JIT, tiered PGO); 0 for none. Default: {DurationParser.Format(s_warmup)} ({DurationParser.Format(s_quickWarmup)} with --quick).",
        HelpName = "duration",
        CustomParser = DurationParser.Parse,
    };

    private readonly Option<int?> _rounds = new("--rounds")
    {
        Description = $"Rounds; each visits every server in turn, and the report gives medians. Default: {DefaultRounds} (1 with --quick).",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, 100),
    };

    private readonly Option<int?> _idle = new("--idle")
    {
        Description = $"Idle keep-alive connections of the idle case. Past one process's file limit, netloop modes run as several processes sharing the port and the load as several processes; other servers are then reported as failed. Default: {DefaultIdle}.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, 1_000_000),
    };

    private readonly Option<int?> _idleH2 = new("--idle-h2")
    {
        Description = "Idle HTTP/2 connections of the h2-idle case, each held after its SETTINGS exchange; past one process's file limit, as with --idle. Default: as many as --idle.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, 1_000_000),
    };

    private readonly Option<TimeSpan?> _soakDuration = new("--soak-duration")
    {
        Description = $"Length of the soak (with --cases soak). Default: 10m.",
        HelpName = "duration",
        CustomParser = ParsePositiveDuration,
    };

    private readonly Option<string?> _output = new("--output")
    {
        Description = "Folder for results.json, report.md, the charts and logs/. Default: bench/results/<UTC timestamp> in the repository, else bench-results/<UTC timestamp> here.",
        HelpName = "dir",
    };

    private readonly Option<int?> _serverCpu = new("--server-cpu")
    {
        Description = $"Core the servers are pinned to (taskset). Default: {s_defaultServerCpu?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none (one core)"}.",
        HelpName = "cpu",
        CustomParser = IntegerParser.InRange(0, Environment.ProcessorCount - 1),
    };

    private readonly Option<int?> _loadCpu = new("--load-cpu")
    {
        Description = $"Core the load generator is pinned to. Default: {s_defaultLoadCpu?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none (one core)"}.",
        HelpName = "cpu",
        CustomParser = IntegerParser.InRange(0, Environment.ProcessorCount - 1),
    };

    /// <summary>Creates the command with its options and action.</summary>
    public BenchCommand()
        : base("bench", Synopsis)
    {
        Add(_quick);
        Add(_servers);
        Add(_extraNetloop);
        Add(_passthroughMiddleware);
        Add(_cases);
        Add(_duration);
        Add(_warmup);
        Add(_rounds);
        Add(_idle);
        Add(_idleH2);
        Add(_soakDuration);
        Add(_output);
        Add(_serverCpu);
        Add(_loadCpu);
        Add(new ExperimentCommand());
        Add(new TlsDesignCommand());
        SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        bool quick = parseResult.GetValue(_quick);
        int idle = parseResult.GetValue(_idle) ?? DefaultIdle;
        int? idleH2 = parseResult.GetValue(_idleH2);
        string? caseList = parseResult.GetValue(_cases);
        IReadOnlyList<BenchCase> cases;
        if (caseList is null)
        {
            cases = quick ? CaseCatalog.Quick(idle, idleH2) : CaseCatalog.Default(idle, idleH2);
        }
        else if (!CaseCatalog.TryParse(caseList, idle, idleH2, out cases, out string? caseError))
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatUsageError(caseError!)).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        var chosenServers = parseResult.GetValue(_servers);
        var servers = chosenServers ?? ServerCatalog.All;
        var extras = new List<ServerSpec>();
        if (parseResult.GetValue(_passthroughMiddleware)) extras.Add(ExtraServers.Passthrough);
        foreach (string value in parseResult.GetValue(_extraNetloop) ?? [])
        {
            var taken = ServerCatalog.All.Select(s => s.Name).Concat(extras.Select(s => s.Name));
            if (!ExtraServers.TryParse(value, taken, out var extra, out string? extraError))
            {
                await Console.Error.WriteLineAsync(NetloopCommandLine.FormatUsageError(extraError!)).ConfigureAwait(false);
                return ExitCodes.UsageError;
            }
            extras.Add(extra!);
        }
        servers = ExtraServers.Insert(servers, extras);

        string? repository = RepositoryRoot.Find(Environment.CurrentDirectory, AppContext.BaseDirectory);
        var options = new BenchOptions
        {
            Command = CommandLineAsTyped(),
            // Only used when this process runs under the dotnet host, which always loads the CLI from a dll in that folder.
            CliAssemblyPath = Path.Combine(AppContext.BaseDirectory, typeof(BenchCommand).Assembly.GetName().Name + ".dll"),
            Quick = quick,
            Servers = servers,
            Cases = cases,
            Rounds = parseResult.GetValue(_rounds) ?? (quick ? 1 : DefaultRounds),
            Duration = parseResult.GetValue(_duration) ?? (quick ? s_quickDuration : s_duration),
            Warmup = parseResult.GetValue(_warmup) ?? (quick ? s_quickWarmup : s_warmup),
            SoakDuration = parseResult.GetValue(_soakDuration) ?? s_soakDuration,
            IdleConnections = idle,
            IdleH2Connections = idleH2,
            // Extra builds were asked for by name: they take part wherever epoll does.
            Http2Servers = quick && chosenServers is null ? s_quickHttp2Servers.Concat(extras.Select(e => e.Name)).ToHashSet(StringComparer.Ordinal) : null,
            OutputDirectory = Path.GetFullPath(parseResult.GetValue(_output) ?? RepositoryRoot.DefaultOutput(repository, DateTimeOffset.UtcNow)),
            ServerCpu = parseResult.GetValue(_serverCpu) ?? s_defaultServerCpu,
            LoadCpu = parseResult.GetValue(_loadCpu) ?? s_defaultLoadCpu,
            RepositoryRoot = repository,
        };

        if (!await OutputFolder.TryCreateAsync(options.OutputDirectory).ConfigureAwait(false)) return ExitCodes.Failure;

        // SIGINT or SIGTERM: stop the server and load running now, write what was measured, exit 1.
        using var shutdown = new ShutdownSignal();
        using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var finished = new CancellationTokenSource();
        var watcher = CancelOnSignalAsync(shutdown, interrupted, finished.Token);

        BenchOutcome outcome;
        try
        {
            outcome = await BenchSuite.RunAsync(options, Console.Out, interrupted.Token).ConfigureAwait(false);
        }
        finally
        {
            await finished.CancelAsync().ConfigureAwait(false);
            await watcher.ConfigureAwait(false);
        }

        await Console.Out.WriteLineAsync($"report: {outcome.ReportPath}").ConfigureAwait(false);
        if (outcome.Report.Interrupted)
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatFailure($"bench interrupted; partial report in {outcome.ReportPath}")).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        if (!outcome.AnyMeasured)
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatFailure($"no server completed any case; see {outcome.ReportPath}")).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        return ExitCodes.Success;
    }

    private static async Task CancelOnSignalAsync(ShutdownSignal shutdown, CancellationTokenSource interrupted, CancellationToken finished)
    {
        string reason = await shutdown.WaitAsync(finished).ConfigureAwait(false);
        if (reason == "cancellation") return;
        await Console.Out.WriteLineAsync($"{reason}: stopping the running server and load; the report will hold what was measured").ConfigureAwait(false);
        await interrupted.CancelAsync().ConfigureAwait(false);
    }

    // The first element is the executable (apphost) or the CLI's dll (under dotnet): either way, "netloop".
    private static string CommandLineAsTyped() =>
        "netloop " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Quote));

    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@%+".Contains(c, StringComparison.Ordinal))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static IReadOnlyList<ServerSpec>? ParseServers(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        if (ServerCatalog.TryParse(token, out var servers, out string? error)) return servers;
        result.AddError(error!);
        return null;
    }

    // Checked here so a typo is a parse error (exit 2); built again with the real --idle count once it is known.
    private static string? ParseCases(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        if (CaseCatalog.TryParse(token, 1, out _, out string? error)) return token;
        result.AddError(error!);
        return null;
    }

    private static TimeSpan? ParsePositiveDuration(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        return DurationParser.TryParse(token, out var duration) && duration > TimeSpan.Zero
            ? duration
            : InvalidValue.Report<TimeSpan?>(result, "a positive duration such as 500ms, 10s, 2m, 1h");
    }
}
