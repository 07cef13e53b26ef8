using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using Netloop.Baselines;
using Netloop.Cli.Demo;
using Netloop.Cli.Faults;
using Netloop.Cli.Parsing;
using Netloop.Hosting;
using Netloop.Protocols;
using Netloop.Protocols.Http1;
using Netloop.Server;
using Netloop.Transport;

namespace Netloop.Cli.Commands;

/// <summary>
/// <c>netloop serve</c>: serves one protocol until SIGINT or SIGTERM (or --limit connections), then stops gracefully and
/// audits what the stop left behind (connections, tasks, pooled buffers, sockets, heap): the <c>leaks:</c> line.
/// Defaults come from <see cref="ServerOptions"/>, so help and library cannot disagree.
/// </summary>
internal sealed class ServeCommand : Command
{
    // How long past --shutdown-timeout the stop may take before the CLI gives up on it: the engines bound the drain
    // themselves, so this only guards against a stop that hangs (a bug), which must not keep the process alive forever.
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(5);

    private static readonly ServerOptions s_defaults = new();
    private static readonly BaselineOptions s_baselineDefaults = new();
    private static readonly HttpLimits s_limitDefaults = new();
    private static readonly ServerMode s_defaultMode = ServerMode.Epoll;

    private readonly Option<ServerMode?> _mode = new("--mode")
    {
        Description = $"How connections are served: {ServerModes.List}. Default: {s_defaultMode.Name()}.",
        HelpName = "mode",
        CustomParser = ServerModeOption.Parse,
    };

    private readonly Option<ProtocolChoice?> _protocol = new("--protocol")
    {
        Description = $"The protocol spoken on each connection: {string.Join("; ", ProtocolCatalog.All.Select(p => $"{p.Name} ({p.Description})"))}. Default: {ProtocolCatalog.Default.Name}.",
        HelpName = "protocol",
        CustomParser = ProtocolCatalog.Parse,
    };

    private readonly Option<HttpProtocols?> _httpProtocols = new("--http-protocols")
    {
        Description = "With --protocol http: the HTTP versions served — http1, http2 (prior knowledge h2c only), or http1andhttp2 (each connection picks: the HTTP/2 client preface or Upgrade: h2c starts HTTP/2). Default: http1andhttp2.",
        HelpName = "versions",
        CustomParser = HttpProtocolsOption.Parse,
    };

    private readonly Option<int?> _handlerThreads = new("--handler-threads")
    {
        Description = "With --protocol http: threads for handlers that block, so they stall no event loop; 0 runs handlers on the loops. Default: 0.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(0, 1024),
    };

    private readonly Option<string?> _root = new("--root")
    {
        Description = "Directory served under /static/ by --protocol http. Default: the current directory.",
        HelpName = "dir",
    };

    private readonly Option<IPAddress?> _address = new("--address")
    {
        Description = $"IPv4 or IPv6 address to listen on. Default: {s_defaults.Address}.",
        HelpName = "ip",
        CustomParser = AddressParser.Parse,
    };

    private readonly Option<int?> _port = new("--port")
    {
        Description = $"TCP port to listen on, 0-65535; 0 picks a free port (the start-up line shows it). Default: {s_defaults.Port}.",
        HelpName = "port",
        CustomParser = IntegerParser.InRange(0, 65535),
    };

    private readonly Option<int?> _loops = new("--loops")
    {
        Description = "Event loops, one thread each (epoll and poll modes). Default: processor count.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, int.MaxValue),
    };

    private readonly Option<bool> _reusePort = new("--reuse-port")
    {
        Description = "Share the port with other processes that pass --reuse-port too (SO_REUSEPORT: several serve processes on one port, zero-downtime restarts). Default: off, the port is this server's alone; start-up fails when anything else listens on it.",
    };

    private readonly Option<int?> _maxConnections = new("--max-connections")
    {
        Description = $"Most connections open at once; beyond it new ones are closed at once. Default: {s_defaults.MaxConnections}.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, int.MaxValue),
    };

    private readonly Option<int?> _maxConnectionsPerIp = new("--max-connections-per-ip")
    {
        Description = "Most connections one client address (an IPv6 client: its --ipv6-prefix) may hold open; beyond it new ones are closed at once (epoll and poll modes). Default: 0, no limit.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(0, int.MaxValue),
    };

    private readonly Option<double?> _rateLimit = new("--rate-limit")
    {
        Description = "Requests one client address may make (with --protocol http; epoll and poll modes): N/s or N/m, a token bucket; beyond it a request gets 429 Too Many Requests with Retry-After, and 16 in a row end the connection (HTTP/2: GOAWAY). Default: 0, no limit.",
        HelpName = "rate",
        CustomParser = RequestRateParser.Parse,
    };

    private readonly Option<int?> _burst = new("--burst")
    {
        Description = "With --rate-limit: requests a client address may make at once after a quiet spell (the bucket's size). Default: one second's worth of the rate.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, int.MaxValue),
    };

    private readonly Option<int?> _ipv6Prefix = new("--ipv6-prefix")
    {
        Description = $"Per-IP limits count IPv6 clients by this many leading bits, 0-128, so one host cannot escape them by hopping addresses. Default: {s_defaults.PerIpLimits.Ipv6PrefixLength}.",
        HelpName = "bits",
        CustomParser = IntegerParser.InRange(0, 128),
    };

    private readonly Option<int?> _maxTrackedAddresses = new("--max-tracked-addresses")
    {
        Description = $"Most client addresses the per-IP limits remember at once (bounded memory, about 100 bytes each); when full and none has expired, connections from new addresses are closed. Default: {s_defaults.PerIpLimits.MaxTrackedAddresses}.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, int.MaxValue),
    };

    private readonly Option<TimeSpan?> _idleTimeout = new("--idle-timeout")
    {
        Description = $"Close a connection that moves no byte for this long (500ms, 60s, 2m, 1h or seconds); 0 disables it. Default: {DurationParser.Format(s_defaults.IdleTimeout)}.",
        HelpName = "duration",
        CustomParser = DurationParser.Parse,
    };

    private readonly Option<TimeSpan?> _shutdownTimeout = new("--shutdown-timeout")
    {
        Description = $"On SIGINT or SIGTERM, how long connections may finish sending before they are closed. Default: {DurationParser.Format(s_defaults.ShutdownTimeout)}.",
        HelpName = "duration",
        CustomParser = DurationParser.Parse,
    };

    private readonly Option<TimeSpan?> _sendTimeout = new("--send-timeout")
    {
        Description = $"Close a connection whose pending output the client accepts no byte of for this long (a client that stopped reading; nginx's send_timeout); 0 disables it. Epoll and poll modes. Default: {DurationParser.Format(s_defaults.SendTimeout)}.",
        HelpName = "duration",
        CustomParser = DurationParser.Parse,
    };

    private readonly Option<TimeSpan?> _drainGrace = new("--drain-grace")
    {
        Description = $"On SIGINT or SIGTERM, how long an idle keep-alive connection stays open for a request already on its way (answered with Connection: close; HTTP/2: GOAWAY) before it is closed; capped by --shutdown-timeout. A second signal exits at once. Default: {DurationParser.Format(s_defaults.ShutdownDrainGrace)}.",
        HelpName = "duration",
        CustomParser = DurationParser.Parse,
    };

    private readonly Option<TimeSpan?> _requestHeadersTimeout = new("--request-headers-timeout")
    {
        Description = $"With --protocol http: a request head must arrive whole within this long of its first byte, else 408 and close (slowloris). Default: {DurationParser.Format(s_limitDefaults.RequestHeadersTimeout)}.",
        HelpName = "duration",
        CustomParser = DurationParser.Parse,
    };

    private readonly Option<int?> _minRequestBodyDataRate = new("--min-request-body-data-rate")
    {
        Description = $"With --protocol http: slowest request body accepted, in bytes/s averaged since the body began, after a {DurationParser.Format(s_limitDefaults.MinRequestBodyDataRateGracePeriod)} grace period; slower gets 408 and close; 0 disables it. Default: {s_limitDefaults.MinRequestBodyDataRate}.",
        HelpName = "bytes/s",
        CustomParser = IntegerParser.InRange(0, int.MaxValue),
    };

    private readonly Option<int?> _limit = new("--limit")
    {
        Description = "Serve this many connections, then stop gracefully by itself (as the async experiment's servers do); later ones are closed unserved. Default: 0, no limit.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(0, int.MaxValue),
    };

    private readonly Option<TimeSpan?> _handlerDelay = new("--handler-delay")
    {
        Description = "With --protocol echo: after a client half-closes and its echo is out, wait this long before closing (slow work; a stop cuts it short where the mode tracks its connections). Default: 0.",
        HelpName = "duration",
        CustomParser = DurationParser.Parse,
    };

    private readonly Option<int?> _workers = new("--workers")
    {
        Description = $"Workers of the async-workers mode (also its channel's capacity). Default: {s_baselineDefaults.Workers}.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, 100_000),
    };

    private readonly Option<int?> _waiterQueue = new("--waiter-queue")
    {
        Description = $"Capacity of the async-waiter mode's queue of running tasks. Default: {s_baselineDefaults.WaiterQueue}.",
        HelpName = "n",
        CustomParser = IntegerParser.InRange(1, 100_000),
    };

    private readonly Option<bool> _allowLeaks = new("--allow-leaks")
    {
        Description = "Report what the stop left behind (the 'leaks:' line) but exit 0 anyway. Default: a leak exits with 1.",
    };

    // Test only, hidden from help: plants a deliberate defect so tests can prove `netloop load` detects it (see Faults/).
    private readonly Option<ServerFault?> _fault = new("--fault")
    {
        Description = $"Test only: plant a deliberate defect ({ServerFault.List}).",
        HelpName = "fault",
        Hidden = true,
        CustomParser = ServerFault.Parse,
    };

    // For the bench, hidden from help: the demo app with a middleware in front of its handlers (see DemoMiddleware).
    private readonly Option<DemoMiddleware?> _middleware = new("--middleware")
    {
        Description = $"Bench only: a middleware in front of the http demo app's handlers ({DemoMiddlewares.List}).",
        HelpName = "middleware",
        Hidden = true,
        CustomParser = DemoMiddlewares.Parse,
    };

    private readonly TlsCommandOptions _tls = new();

    /// <summary>Creates the command with its options and action.</summary>
    public ServeCommand()
        : base("serve", "Serve a protocol until SIGINT or SIGTERM, then stop gracefully.")
    {
        Add(_mode);
        Add(_protocol);
        Add(_httpProtocols);
        Add(_root);
        Add(_handlerThreads);
        Add(_address);
        Add(_port);
        Add(_loops);
        Add(_reusePort);
        Add(_maxConnections);
        Add(_maxConnectionsPerIp);
        Add(_rateLimit);
        Add(_burst);
        Add(_ipv6Prefix);
        Add(_maxTrackedAddresses);
        Add(_idleTimeout);
        Add(_shutdownTimeout);
        Add(_sendTimeout);
        Add(_requestHeadersTimeout);
        Add(_minRequestBodyDataRate);
        Add(_drainGrace);
        Add(_limit);
        Add(_handlerDelay);
        Add(_workers);
        Add(_waiterQueue);
        Add(_allowLeaks);
        Add(_fault);
        Add(_middleware);
        foreach (var option in _tls.All) Add(option);
        _mode.CompletionSources.Add(ServerModes.All.Select(m => m.Name()).ToArray());
        _protocol.CompletionSources.Add(ProtocolCatalog.All.Select(p => p.Name).ToArray());
        SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken));
    }

    private ServerOptions ReadOptions(ParseResult parseResult) => new()
    {
        Address = parseResult.GetValue(_address) ?? s_defaults.Address,
        Port = parseResult.GetValue(_port) ?? s_defaults.Port,
        Loops = parseResult.GetValue(_loops) ?? s_defaults.Loops,
        ReusePort = parseResult.GetValue(_reusePort),
        MaxConnections = parseResult.GetValue(_maxConnections) ?? s_defaults.MaxConnections,
        IdleTimeout = parseResult.GetValue(_idleTimeout) ?? s_defaults.IdleTimeout,
        ShutdownTimeout = parseResult.GetValue(_shutdownTimeout) ?? s_defaults.ShutdownTimeout,
        SendTimeout = parseResult.GetValue(_sendTimeout) ?? s_defaults.SendTimeout,
        ShutdownDrainGrace = parseResult.GetValue(_drainGrace) ?? s_defaults.ShutdownDrainGrace,
        PerIpLimits = new PerIpLimitOptions
        {
            MaxConnectionsPerIp = parseResult.GetValue(_maxConnectionsPerIp) ?? 0,
            RequestsPerSecond = parseResult.GetValue(_rateLimit) ?? 0,
            Burst = parseResult.GetValue(_burst) ?? 0,
            Ipv6PrefixLength = parseResult.GetValue(_ipv6Prefix) ?? s_defaults.PerIpLimits.Ipv6PrefixLength,
            MaxTrackedAddresses = parseResult.GetValue(_maxTrackedAddresses) ?? s_defaults.PerIpLimits.MaxTrackedAddresses,
        },
    };

    /// <summary>The per-IP counters for the stop line, when a per-IP limit was set.</summary>
    private static string PerIpSummary(ServerOptions options, ServerStats stats) =>
        options.PerIpLimits.IsEnabled
            ? $", rejected per IP {stats.RejectedPerIp}, per-IP table full {stats.PerIpTableFull}, rate limited {stats.RateLimited}"
            : "";

    private BaselineOptions ReadBaselineOptions(ParseResult parseResult) => new()
    {
        Workers = parseResult.GetValue(_workers) ?? s_baselineDefaults.Workers,
        WaiterQueue = parseResult.GetValue(_waiterQueue) ?? s_baselineDefaults.WaiterQueue,
    };

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var options = ReadOptions(parseResult);
        var mode = parseResult.GetValue(_mode) ?? s_defaultMode;
        int serveLimit = parseResult.GetValue(_limit) ?? 0;
        var choice = parseResult.GetValue(_protocol) ?? ProtocolCatalog.Default;
        string root = Path.GetFullPath(parseResult.GetValue(_root) ?? ".");
        if (!Directory.Exists(root))
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatUsageError($"--root: directory '{root}' does not exist")).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        var handlerDelay = parseResult.GetValue(_handlerDelay) ?? TimeSpan.Zero;
        if (handlerDelay > TimeSpan.Zero && choice.Name != "echo")
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatUsageError("--handler-delay applies to --protocol echo only")).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        var middleware = parseResult.GetValue(_middleware) ?? DemoMiddleware.None;
        if (middleware != DemoMiddleware.None && choice.Name != "http")
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatUsageError("--middleware applies to --protocol http only")).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        using var loggerFactory = ConsoleLog.CreateFactory();
        var logger = loggerFactory.CreateLogger(ConsoleLog.Category);
        var requestHeadersTimeout = parseResult.GetValue(_requestHeadersTimeout);
        var minBodyRate = parseResult.GetValue(_minRequestBodyDataRate);
        if ((requestHeadersTimeout is not null || minBodyRate is not null) && choice.Name != "http")
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatUsageError("--request-headers-timeout and --min-request-body-data-rate apply to --protocol http only")).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
        if (requestHeadersTimeout is { } t && t <= TimeSpan.Zero)
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatUsageError("--request-headers-timeout must be above 0")).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
        var protocol = choice.Create(new ProtocolSettings(root, parseResult.GetValue(_handlerThreads) ?? 0, loggerFactory, handlerDelay, middleware, parseResult.GetValue(_httpProtocols) ?? HttpProtocols.Http1AndHttp2)
        {
            RequestHeadersTimeout = requestHeadersTimeout,
            MinRequestBodyDataRate = minBodyRate,
        });
        var fault = parseResult.GetValue(_fault);

        NetloopServer server;
        try
        {
            options.Tls = _tls.Read(parseResult);
            if (options.Tls is not null && mode is not (ServerMode.Epoll or ServerMode.Poll))
                throw new ArgumentException($"TLS (--tls-cert) runs on the reactor: --mode epoll or poll, not {mode.Name()}");
            if (options.PerIpLimits.RequestsPerSecond > 0 && choice.Name != "http")
                throw new ArgumentException("--rate-limit applies to --protocol http only");
            if (fault is not null) protocol = fault.Apply(protocol);
            server = ModeServer.Create(mode, options, protocol, loggerFactory, ReadBaselineOptions(parseResult), serveLimit);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatUsageError(e.Message)).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        // Registered before Start so a signal that arrives right after the start-up line still means "stop gracefully".
        using var shutdown = new ShutdownSignal();
        try
        {
            server.Start();
        }
        catch (NetloopException e)
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatFailure(e.Message)).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatUsageError(e.Message)).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        // SIGUSR2 logs the allocation counters (see StatsSignal); from here on, so the line's counters exist.
        using var statsSignal = new StatsSignal(server, logger);
        string loops = server.RunsEventLoops ? $", loops {options.Loops}" : "";
        logger.LogInformation(
            "netloop {Version} listening on {EndPoint} (mode {Mode}, protocol {Protocol}{Loops}, pid {Pid})",
            NetloopCommandLine.Version, server.LocalEndPoint, mode.Name(), protocol.Name, loops, Environment.ProcessId);
        if (server.TlsEndPoint is { } tlsEndPoint)
        {
            logger.LogInformation("TLS on {EndPoint} ({Scheme}://{EndPoint2}; certificate {Certificate})",
                tlsEndPoint, protocol.Name == "http" ? "https" : "tls", tlsEndPoint, options.Tls!.CertificatePath);
        }
        if (fault is not null) logger.LogWarning("test-only fault {Fault} planted: {Description}", fault.Name, fault.Description);

        var signalled = shutdown.WaitAsync(cancellationToken);
        var first = await Task.WhenAny(signalled, server.LimitReached, server.Failed).ConfigureAwait(false);
        if (first == server.Failed)
        {
            // A loop died: its connections are not served. Stop the rest and exit 1 rather than live on half-alive.
            var cause = await server.Failed.ConfigureAwait(false);
            logger.LogCritical("the server failed ({Cause}): stopping; exit code 1", cause.Message);
            try
            {
                await server.StopAsync().WaitAsync(options.ShutdownTimeout + s_stopGrace, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NetloopException or TimeoutException)
            {
                logger.LogError("stop after the failure: {Message}", e.Message);
            }
            return ExitCodes.Failure;
        }
        string reason = first == signalled
            ? await signalled.ConfigureAwait(false)
            : $"served {serveLimit} connections (--limit)";
        logger.LogInformation("{Reason}: stopping; connections get up to {Timeout} to finish (idle ones {Grace}); a second signal exits at once", reason, DurationParser.Format(options.ShutdownTimeout), DurationParser.Format(options.ShutdownDrainGrace));

        try
        {
            await server.StopAsync().WaitAsync(options.ShutdownTimeout + s_stopGrace, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            logger.LogError("the server did not stop within {Timeout}; exiting without a clean stop", DurationParser.Format(options.ShutdownTimeout + s_stopGrace));
            return ExitCodes.Failure;
        }
        catch (NetloopException e)
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatFailure(e.Message)).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var stats = server.GetStats();
        logger.LogInformation(
            "netloop stopped: accepted {Accepted}, resets {Resets}, idle timeouts {IdleTimeouts}, send timeouts {SendTimeouts}, buffers outstanding {BuffersOutstanding}{PerIp}",
            stats.Accepted, stats.Resets, stats.IdleTimeouts, stats.SendTimeouts, stats.BuffersOutstanding, PerIpSummary(options, stats));
        (protocol as HttpProtocolFactory)?.LogHttp2Summary(logger);
        var audit = server.Audit();
        if (audit.IsClean)
        {
            logger.LogInformation("{Verdict}", audit.Verdict);
            return ExitCodes.Success;
        }
        if (parseResult.GetValue(_allowLeaks))
        {
            logger.LogWarning("{Verdict}", audit.Verdict);
            return ExitCodes.Success;
        }
        logger.LogError("{Verdict}; exiting with 1 (--allow-leaks reports without failing)", audit.Verdict);
        return ExitCodes.Failure;
    }
}
