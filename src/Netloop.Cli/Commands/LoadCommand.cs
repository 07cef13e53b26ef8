using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Netloop.Cli.Parsing;
using Netloop.Hosting;
using Netloop.Load.Http;
using Netloop.Load.Results;
using Netloop.Load.Runner;
using Netloop.Load.Targets;
using Netloop.Server;

namespace Netloop.Cli.Commands;

/// <summary>
/// <c>netloop load</c>: drives a server with HTTP/1.1 or echo requests from Netloop's own client reactor, closed-loop or
/// at a fixed rate, verifies every response, and reports throughput, latency percentiles and errors by kind.
/// </summary>
internal sealed partial class LoadCommand : Command
{
    private const string Synopsis = """
        Generate load against an HTTP/1.1 (plaintext or TLS) or echo server and report throughput, latency and errors.
        Exit codes: 0 the run completed without errors; 1 it could not run (nothing listens at the target, the client
        failed); 2 a mistake on the command line; 3 the run completed but counted errors (see the summary or --json).
        """;

    private static readonly LoadOptions s_defaults = new() { Target = LoadTarget.Parse("tcp://127.0.0.1:7000") };

    private readonly Option<LoadTarget?> _target = new("--target")
    {
        Description = "What to load: http://host:port/path?query (HTTP/1.1), https://host:port/path?query (HTTP/1.1 over TLS), tcp://host:port (echo), h2c://host:port (HTTP/2 by prior knowledge, with --idle only: each connection ends its SETTINGS exchange, then holds) or h2s://host:port (the same over TLS, ALPN h2). Hosts are IP addresses or localhost.",
        HelpName = "url",
        Required = true,
        CustomParser = ParseTarget,
    };

    private readonly Option<int?> _connections = new("--connections")
    {
        Description = $"Connections kept open at once. Default: {s_defaults.Connections}.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, 10_000_000),
    };

    private readonly Option<int?> _loops = new("--loops")
    {
        Description = $"Client event loops (threads); connections are spread over them. Default: {s_defaults.Loops}.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, 1024),
    };

    private readonly Option<TimeSpan?> _duration = new("--duration")
    {
        Description = $"How long to run (500ms, 10s, 2m, 1h). Default: {DurationParser.Format(LoadOptions.DefaultDuration)}, or no limit with --requests.",
        HelpName = "duration",
        CustomParser = DurationParser.Parse,
    };

    private readonly Option<long?> _requests = new("--requests")
    {
        Description = "Stop after this many requests in total (with --duration too, whichever comes first).",
        HelpName = "n",
        CustomParser = ParsePositiveLong,
    };

    private readonly Option<int?> _requestsPerConnection = new("--requests-per-connection")
    {
        Description = "Close each connection after this many requests and open a new one (churn); for HTTP the last one carries Connection: close. Default: 0, keep connections open.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(0, int.MaxValue),
    };

    private readonly Option<int?> _pipeline = new("--pipeline")
    {
        Description = $"Requests in flight per connection (HTTP pipelining; echo messages). Default: {s_defaults.Pipeline}.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, 1024),
    };

    private readonly Option<int?> _payload = new("--payload")
    {
        Description = $"Echo message size in bytes (k and m suffixes: KiB, MiB); every byte that comes back is compared. Default: {s_defaults.PayloadBytes}.",
        HelpName = "size",
        CustomParser = ParseSize,
    };

    private readonly Option<double?> _rate = new("--rate")
    {
        Description = "Open loop: send this many requests per second in total, on schedule, and measure latency from each request's intended send time (corrected for coordinated omission, as wrk2). Default: closed loop.",
        HelpName = "r",
        CustomParser = ParseRate,
    };

    private readonly Option<TimeSpan?> _timeout = new("--timeout")
    {
        Description = $"A request without a response for this long counts as a timeout, and its connection is replaced; 0 disables. Default: {DurationParser.Format(LoadOptions.DefaultTimeout)}.",
        HelpName = "duration",
        CustomParser = DurationParser.Parse,
    };

    private readonly Option<string[]> _header = new("--header")
    {
        Description = "An extra HTTP request header, \"Name: value\"; repeatable.",
        HelpName = "header",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private readonly Option<string?> _method = new("--method")
    {
        Description = "The HTTP method (GET, HEAD, POST, ...); methods with a body send an empty one. Default: GET.",
        HelpName = "method",
    };

    private readonly Option<int?> _expectStatus = new("--expect-status")
    {
        Description = "The HTTP status every response must have. Default: any 2xx.",
        HelpName = "code",
        CustomParser = IntegerParser.InRange(100, 999),
    };

    private readonly Option<IReadOnlyList<IPAddress>?> _sourceAddresses = new("--source-addresses")
    {
        Description = "Local addresses to connect from, round-robin per connection: a range 127.0.0.1-127.0.0.16 and/or a comma list. Each address adds ~28k ephemeral ports.",
        HelpName = "list",
        CustomParser = ParseSourceAddresses,
    };

    private readonly Option<int?> _cpu = new("--cpu")
    {
        Description = "Pin the load generator to this CPU (sched_setaffinity), away from the server's.",
        HelpName = "cpu",
        CustomParser = IntegerParser.InRange(0, 4095),
    };

    private readonly Option<bool> _idle = new("--idle")
    {
        Description = "Open every connection, make one request on each (h2c://: the SETTINGS exchange), then hold them open and silent until --duration ends (for memory per idle connection).",
    };

    private readonly Option<int?> _idleBatch = new("--idle-batch")
    {
        Description = $"With --idle: at most this many connections opening or waiting for their one answer at once; the next opens as one is answered (default {LoadOptions.DefaultIdleBatch}).",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, 1_000_000),
    };

    private readonly Option<bool> _insecure = new("--insecure")
    {
        Description = "https:// and h2s://: accept the server's certificate without checking it (self-signed test certificates).",
    };

    private readonly Option<string?> _caCert = new("--cacert")
    {
        Description = "https:// and h2s://: trust the CAs in this PEM file instead of the system's (the certificate must also name the target's host or IP address).",
        HelpName = "file",
    };

    private readonly Option<bool> _tlsResume = new("--tls-resume")
    {
        Description = "https:// and h2s://: each new connection resumes the latest TLS session its loop was given; with --requests-per-connection 1 the run measures resumed handshakes. Default: every handshake is a full one.",
    };

    private readonly Option<int?> _monitorPid = new("--monitor-pid")
    {
        Description = "Watch this server process (and its children) during the run: RSS start, peak and end, growth slope, CPU seconds.",
        HelpName = "pid",
        CustomParser = IntegerParser.InRange(1, int.MaxValue),
    };

    private readonly Option<bool> _json = new("--json")
    {
        Description = "Print only the result as JSON on stdout (progress, if any, stays on stderr).",
    };

    private readonly Option<bool> _noProgress = new("--no-progress")
    {
        Description = "No progress line on stderr while the load runs.",
    };

    /// <summary>Creates the command with its options and action.</summary>
    public LoadCommand()
        : base("load", Synopsis)
    {
        Add(_target);
        Add(_connections);
        Add(_loops);
        Add(_duration);
        Add(_requests);
        Add(_requestsPerConnection);
        Add(_pipeline);
        Add(_payload);
        Add(_rate);
        Add(_timeout);
        Add(_header);
        Add(_method);
        Add(_expectStatus);
        Add(_sourceAddresses);
        Add(_cpu);
        Add(_idle);
        Add(_idleBatch);
        Add(_insecure);
        Add(_caCert);
        Add(_tlsResume);
        Add(_monitorPid);
        Add(_json);
        Add(_noProgress);
        SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
    }

    private LoadOptions ReadOptions(ParseResult parseResult)
    {
        long requests = parseResult.GetValue(_requests) ?? 0;
        var duration = parseResult.GetValue(_duration);
        return new LoadOptions
        {
            Target = parseResult.GetValue(_target)!,
            Connections = parseResult.GetValue(_connections) ?? s_defaults.Connections,
            Loops = parseResult.GetValue(_loops) ?? s_defaults.Loops,
            // --requests alone runs until they are done; --duration, when given too, still bounds the run.
            Duration = duration ?? (requests > 0 ? null : LoadOptions.DefaultDuration),
            Requests = requests,
            RequestsPerConnection = parseResult.GetValue(_requestsPerConnection) ?? 0,
            Pipeline = parseResult.GetValue(_pipeline) ?? s_defaults.Pipeline,
            PayloadBytes = parseResult.GetValue(_payload) ?? s_defaults.PayloadBytes,
            Rate = parseResult.GetValue(_rate) ?? 0,
            SourceAddresses = parseResult.GetValue(_sourceAddresses) ?? [],
            Timeout = parseResult.GetValue(_timeout) ?? LoadOptions.DefaultTimeout,
            Headers = parseResult.GetValue(_header) ?? [],
            Method = parseResult.GetValue(_method) ?? s_defaults.Method,
            ExpectStatus = parseResult.GetValue(_expectStatus),
            Idle = parseResult.GetValue(_idle),
            IdleBatch = parseResult.GetValue(_idleBatch) ?? LoadOptions.DefaultIdleBatch,
            Insecure = parseResult.GetValue(_insecure),
            CaCertificatePath = parseResult.GetValue(_caCert),
            TlsResume = parseResult.GetValue(_tlsResume),
            MonitorPid = parseResult.GetValue(_monitorPid),
        };
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        LoadOptions options;
        try
        {
            options = ReadOptions(parseResult);
            options.Validate();
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatUsageError(e.Message)).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
        if (parseResult.GetValue(_cpu) is int cpu && !ProcessorAffinity.TryPinProcess(cpu, out string? pinError))
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatUsageError($"--cpu: {pinError}")).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        bool json = parseResult.GetValue(_json);
        using var progress = parseResult.GetValue(_noProgress) ? null : new ProgressLine(Console.Error, !Console.IsErrorRedirected);
        var runner = new LoadRunner(options) { Progress = progress is null ? null : progress.Show };

        // The first SIGINT or SIGTERM ends the run early with its results; a second one ends the process.
        using var shutdown = new ShutdownSignal();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        LoadResult result;
        try
        {
            var run = runner.RunAsync(stop.Token);
            var signal = shutdown.WaitAsync(stop.Token);
            if (await Task.WhenAny(run, signal).ConfigureAwait(false) != run) await stop.CancelAsync().ConfigureAwait(false);
            result = await run.ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            progress?.Clear();
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatUsageError(e.Message)).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
        catch (LoadException e)
        {
            progress?.Clear();
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatFailure(e.Message)).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        progress?.Clear();

        if (json) await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, LoadResultJsonContext.Default.LoadResult)).ConfigureAwait(false);
        else WriteSummary(result);

        if (runner.ClientBuffersOutstanding != 0)
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatFailure(
                $"the load client did not return {runner.ClientBuffersOutstanding} pooled buffers after stopping: a client leak")).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        return result.Errors.Total > 0 ? ExitCodes.CompletedWithErrors : ExitCodes.Success;
    }

    private static LoadTarget? ParseTarget(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        if (LoadTarget.TryParse(token, out var target, out string? error)) return target;
        result.AddError($"--target: {error}");
        return null;
    }

    private static IReadOnlyList<IPAddress>? ParseSourceAddresses(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        if (SourceAddresses.TryParse(token, out var addresses, out string? error)) return addresses;
        result.AddError($"--source-addresses: {error}");
        return null;
    }

    private static long? ParsePositiveLong(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        if (long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value > 0) return value;
        return InvalidValue.Report<long?>(result, "a whole number of at least 1");
    }

    private static double? ParseRate(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        if (double.TryParse(token, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double rate) && rate > 0 && double.IsFinite(rate)) return rate;
        return InvalidValue.Report<double?>(result, "requests per second above zero, such as 1000 or 0.5");
    }

    /// <summary>Bytes as people type them: <c>4096</c>, <c>64k</c>, <c>1m</c> (binary units).</summary>
    private static int? ParseSize(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        var text = token.AsSpan().Trim();
        long unit = 1;
        if (text.EndsWith("k", StringComparison.OrdinalIgnoreCase)) unit = 1024;
        else if (text.EndsWith("m", StringComparison.OrdinalIgnoreCase)) unit = 1024 * 1024;
        if (unit != 1) text = text[..^1];
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long count) && count > 0 && count * unit <= 64L * 1024 * 1024)
        {
            return (int)(count * unit);
        }
        return InvalidValue.Report<int?>(result, "a size from 1 byte to 64m, such as 4096, 64k or 1m");
    }
}
