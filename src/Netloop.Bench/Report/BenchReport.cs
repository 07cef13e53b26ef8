namespace Netloop.Bench.Report;

/// <summary>
/// Everything one <c>netloop bench</c> run measured: the contents of <c>results.json</c>, from which <c>report.md</c>
/// and the charts are drawn. Field names are camelCase in JSON; add fields, never rename them.
/// </summary>
internal sealed record BenchReport
{
    /// <summary>The command as typed (<c>netloop bench --quick</c>).</summary>
    public required string Command { get; init; }

    /// <summary>When the run began (UTC).</summary>
    public required DateTimeOffset StartedUtc { get; init; }

    /// <summary>Wall time of the whole run.</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>True when SIGINT or SIGTERM cut the run short (what had not run is marked so).</summary>
    public bool Interrupted { get; init; }

    /// <summary>The machine it ran on.</summary>
    public required MachineInfo Machine { get; init; }

    /// <summary>The settings in force.</summary>
    public required BenchSettings Settings { get; init; }

    /// <summary>Every server asked for, with whether it could run.</summary>
    public required IReadOnlyList<ServerEntry> Servers { get; init; }

    /// <summary>Every case asked for.</summary>
    public required IReadOnlyList<CaseEntry> Cases { get; init; }

    /// <summary>One entry per server and case the server runs (Kestrel and nginx have no echo entries; the C reference none for JSON, churn, soak and start-up).</summary>
    public required IReadOnlyList<CaseResult> Results { get; init; }
}

/// <summary>The machine a run was measured on.</summary>
internal sealed record MachineInfo
{
    /// <summary>Logical processors.</summary>
    public int Cores { get; init; }
    /// <summary>From /proc/cpuinfo.</summary>
    public string CpuModel { get; init; } = "";
    /// <summary>Kernel release.</summary>
    public string Kernel { get; init; } = "";
    /// <summary>Operating system description.</summary>
    public string Os { get; init; } = "";
    /// <summary>The .NET runtime (<c>.NET 10.0.0</c>).</summary>
    public string Dotnet { get; init; } = "";
    /// <summary>Physical memory.</summary>
    public long MemoryBytes { get; init; }
    /// <summary>RLIMIT_NOFILE each server and load process gets.</summary>
    public long OpenFileLimit { get; init; }
    /// <summary>How servers and load were pinned to cores.</summary>
    public string Pinning { get; init; } = "";
}

/// <summary>The options a run used.</summary>
internal sealed record BenchSettings
{
    /// <summary><c>--quick</c>.</summary>
    public bool Quick { get; init; }
    /// <summary><c>--rounds</c>.</summary>
    public int Rounds { get; init; }
    /// <summary><c>--duration</c>, per case and round.</summary>
    public double DurationSeconds { get; init; }
    /// <summary><c>--warmup</c>, per server start.</summary>
    public double WarmupSeconds { get; init; }
    /// <summary><c>--idle</c>.</summary>
    public int IdleConnections { get; init; }
    /// <summary><c>--idle-h2</c>: idle connections of the HTTP/2 idle case.</summary>
    public int IdleH2Connections { get; init; }
    /// <summary><c>--soak-duration</c>.</summary>
    public double SoakDurationSeconds { get; init; }
}

/// <summary>A server asked for, and whether it could be started at all.</summary>
internal sealed record ServerEntry
{
    /// <summary>Catalog name (<c>epoll</c>, <c>nginx</c>).</summary>
    public required string Name { get; init; }
    /// <summary><c>Netloop</c>, <c>Kestrel</c>, <c>Nginx</c> or <c>Reference</c>.</summary>
    public required string Family { get; init; }
    /// <summary>One line for the report.</summary>
    public string Description { get; init; } = "";
    /// <summary>True when it could be started.</summary>
    public bool Available { get; init; }
    /// <summary><c>ready</c>, <c>not installed</c>, <c>did not build: …</c>.</summary>
    public string Status { get; init; } = "";
    /// <summary>The peer's version when known.</summary>
    public string? Version { get; init; }
}

/// <summary>A case asked for.</summary>
internal sealed record CaseEntry
{
    /// <summary>Catalog name (<c>plaintext-256</c>).</summary>
    public required string Name { get; init; }
    /// <summary>Family (<c>plaintext</c>).</summary>
    public required string Family { get; init; }
    /// <summary><c>Throughput</c>, <c>Idle</c> or <c>Soak</c>.</summary>
    public required string Kind { get; init; }
    /// <summary><c>Echo</c>, <c>Http</c> or <c>Http2</c>.</summary>
    public required string Protocol { get; init; }
    /// <summary>Heading in the report.</summary>
    public string Title { get; init; } = "";
    /// <summary>Concurrent connections.</summary>
    public int Connections { get; init; }
    /// <summary>Pipelining depth.</summary>
    public int Pipeline { get; init; } = 1;
    /// <summary>Requests per connection before reconnecting (0 = none).</summary>
    public int RequestsPerConnection { get; init; }
    /// <summary>Echo message size.</summary>
    public int PayloadBytes { get; init; }
}

/// <summary>Where a server and case stand after every round.</summary>
internal static class CaseStatus
{
    /// <summary>Every round measured.</summary>
    public const string Ok = "ok";
    /// <summary>Some rounds failed; the median is over the others.</summary>
    public const string Partial = "partial";
    /// <summary>Every round failed.</summary>
    public const string Failed = "failed";
    /// <summary>Never attempted: the server is not installed or did not build, or the run was interrupted first.</summary>
    public const string NotRun = "not run";
    /// <summary>Left out on purpose, neither run nor failed (a "–" in the report): a server that does not speak HTTP/2, or one --quick keeps out of the HTTP/2 cases.</summary>
    public const string Excluded = "excluded";
}

/// <summary>One server in one case: every round and their median.</summary>
internal sealed record CaseResult
{
    /// <summary>Server name.</summary>
    public required string Server { get; init; }
    /// <summary>Case name.</summary>
    public required string Case { get; init; }
    /// <summary>See <see cref="CaseStatus"/>.</summary>
    public required string Status { get; init; }
    /// <summary>Why it failed, did not run or is excluded (the first round's reason when every round failed).</summary>
    public string? Failure { get; init; }
    /// <summary>Medians over the rounds that succeeded; null when none did.</summary>
    public Measurement? Median { get; init; }
    /// <summary>Every round, in order.</summary>
    public IReadOnlyList<Measurement> Rounds { get; init; } = [];
}

/// <summary>One round of one case against one server (or, as <see cref="CaseResult.Median"/>, the medians over rounds).</summary>
internal sealed record Measurement
{
    /// <summary>Round number from 1 (0 for a median).</summary>
    public int Round { get; init; }
    /// <summary>False when the round failed; <see cref="Failure"/> says why.</summary>
    public bool Ok { get; init; }
    /// <summary>Why the round failed.</summary>
    public string? Failure { get; init; }
    /// <summary>Completed requests (echo: messages) per second.</summary>
    public double RequestsPerSecond { get; init; }
    /// <summary>Received MB (10^6 bytes) per second.</summary>
    public double MegabytesPerSecond { get; init; }
    /// <summary>Completed requests.</summary>
    public long Requests { get; init; }
    /// <summary>Measured duration of the load.</summary>
    public double DurationSeconds { get; init; }
    /// <summary>CPU seconds (user + system) of the server's process tree during the load.</summary>
    public double ServerCpuSeconds { get; init; }
    /// <summary>Server CPU microseconds per completed request: the cost figure that does not depend on the load generator's ceiling.</summary>
    public double ServerCpuMicrosecondsPerRequest { get; init; }
    /// <summary>
    /// Managed bytes the server process allocated during the load per completed request (from its SIGUSR2 stats lines
    /// before and after); null for a server that does not report them (nginx).
    /// </summary>
    public double? AllocatedBytesPerRequest { get; init; }
    /// <summary>Of <see cref="AllocatedBytesPerRequest"/>, the bytes allocated on the event-loop threads; null for a server without loops.</summary>
    public double? LoopAllocatedBytesPerRequest { get; init; }
    /// <summary>Median latency, µs.</summary>
    public double P50Us { get; init; }
    /// <summary>99th percentile latency, µs.</summary>
    public double P99Us { get; init; }
    /// <summary>99.9th percentile latency, µs.</summary>
    public double P999Us { get; init; }
    /// <summary>Mean latency, µs, from a load generator that gives no percentiles (h2load, in the HTTP/2 cases, whose percentiles stay 0); null otherwise.</summary>
    public double? MeanLatencyUs { get; init; }
    /// <summary>Errors of every kind.</summary>
    public long Errors { get; init; }
    /// <summary>The non-zero error kinds, e.g. <c>reset 3, timeout 1</c>.</summary>
    public string? ErrorSummary { get; init; }
    /// <summary>Connections the load opened (reconnects included).</summary>
    public long ConnectionsOpened { get; init; }
    /// <summary>The idle case's memory figures.</summary>
    public IdleMeasurement? Idle { get; init; }
    /// <summary>The soak's RSS curve and verdict.</summary>
    public SoakMeasurement? Soak { get; init; }
    /// <summary>A start-up case's figures.</summary>
    public StartupMeasurement? Startup { get; init; }
}

/// <summary>
/// RSS per idle connection as a user measures it: (server RSS with N idle connections − server RSS after start-up and a
/// few warm-up requests) / N; beside it the figure from a cold start (the bench's method until P6).
/// </summary>
internal sealed record IdleMeasurement
{
    /// <summary>N: the idle connections asked for.</summary>
    public int Connections { get; init; }
    /// <summary>Connections the load held open at the end of the hold (reconnects after a timeout or reset replace lost ones).</summary>
    public long ConnectionsOpen { get; init; }
    /// <summary>Server processes sharing the port (more than one past one process's file limit).</summary>
    public int ServerProcesses { get; init; } = 1;
    /// <summary>Load processes.</summary>
    public int LoadProcesses { get; init; } = 1;
    /// <summary>Server RSS (all processes) right after start-up, before any request.</summary>
    public long RssColdBytes { get; init; }
    /// <summary>Server RSS (all processes) after start-up and the warm-up requests, before the idle connections.</summary>
    public long RssBeforeBytes { get; init; }
    /// <summary>Server RSS when the most connections were open.</summary>
    public long RssWithConnectionsBytes { get; init; }
    /// <summary>The figure, as a user measures it: (with − before) / N.</summary>
    public double BytesPerConnection { get; init; }
    /// <summary>The same from a cold start: (with − cold) / N, the bench's figure until P6.</summary>
    public double ColdStartBytesPerConnection { get; init; }
    /// <summary>Managed heap growth per connection (SIGUSR2 <c>heap-bytes</c>, uncollected garbage included); null for servers that do not report it or several processes.</summary>
    public double? HeapBytesPerConnection { get; init; }
    /// <summary>How many more file descriptors the server held with the connections open than before (≈ connections it accepted).</summary>
    public long ServerFdsAdded { get; init; }
    /// <summary>Server threads with the connections open.</summary>
    public int ServerThreads { get; init; }
}

/// <summary>The soak: RSS over time under constant load, and whether it stayed flat.</summary>
internal sealed record SoakMeasurement
{
    /// <summary><c>steady</c>, <c>growing</c> or <c>too-short</c>.</summary>
    public required string Verdict { get; init; }
    /// <summary>Least-squares RSS slope over the second half, KB per minute.</summary>
    public double SlopeKbPerMinute { get; init; }
    /// <summary>RSS at the start.</summary>
    public long RssStartBytes { get; init; }
    /// <summary>RSS at the end.</summary>
    public long RssEndBytes { get; init; }
    /// <summary>Largest RSS.</summary>
    public long RssPeakBytes { get; init; }
    /// <summary>The curve, one point per second.</summary>
    public IReadOnlyList<RssPoint> Curve { get; init; } = [];
}

/// <summary>One point of an RSS curve.</summary>
/// <param name="Seconds">Since the load began.</param>
/// <param name="RssBytes">Server RSS.</param>
internal sealed record RssPoint(double Seconds, long RssBytes);
