using System.Text.Json.Serialization;

namespace Netloop.Load.Results;

/// <summary>
/// What one <c>netloop load</c> run measured: the machine-readable form printed by <c>--json</c> and read back by
/// <c>netloop bench</c>. Field names are the JSON contract (camelCase); add fields, never rename them.
/// </summary>
public sealed record LoadResult
{
    /// <summary>The target as given (<c>http://127.0.0.1:8080/plaintext</c>, <c>tcp://127.0.0.1:7000</c>).</summary>
    public required string Target { get; init; }

    /// <summary><c>http</c>, <c>https</c>, <c>echo</c>, <c>h2c</c> or <c>h2s</c>.</summary>
    public required string Protocol { get; init; }

    /// <summary>Concurrent connections the run kept open.</summary>
    public int Connections { get; init; }

    /// <summary>HTTP requests in flight per connection (1 = no pipelining).</summary>
    public int Pipeline { get; init; } = 1;

    /// <summary>Echo message size in bytes (0 for HTTP).</summary>
    public int PayloadBytes { get; init; }

    /// <summary>Requests per connection before it closes and reconnects (0 = keep the connection for the whole run).</summary>
    public int RequestsPerConnection { get; init; }

    /// <summary>Target rate of an open-loop run in requests/s (0 = closed loop, as fast as responses come back).</summary>
    public double Rate { get; init; }

    /// <summary>Measured wall time of the run in seconds.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Completed and verified requests (echo: messages echoed back intact).</summary>
    public long Requests { get; init; }

    /// <summary>Bytes received from the server.</summary>
    public long BytesReceived { get; init; }

    /// <summary>Bytes sent to the server.</summary>
    public long BytesSent { get; init; }

    /// <summary>Connections opened during the run (reconnects included).</summary>
    public long ConnectionsOpened { get; init; }

    /// <summary>Connections open when the run ended (<c>--idle</c>: the connections held).</summary>
    public long ConnectionsOpenAtEnd { get; init; }

    /// <summary>Connections the server closed with no request pending and no <c>Connection: close</c> announced (an idle timeout, say); not an error, but <c>--idle</c> lost them.</summary>
    public long ConnectionsClosedByServer { get; init; }

    /// <summary>Client event loops (threads) that generated the load.</summary>
    public int Loops { get; init; } = 1;

    /// <summary>True for an <c>--idle</c> run: one request per connection, then the connections held silent.</summary>
    public bool Idle { get; init; }

    /// <summary><see cref="Requests"/> / <see cref="DurationSeconds"/>.</summary>
    public double RequestsPerSecond { get; init; }

    /// <summary>Received megabytes (10^6 bytes) per second.</summary>
    public double MegabytesPerSecond { get; init; }

    /// <summary>TLS targets: handshakes completed (full and resumed); 0 for plaintext targets.</summary>
    public long TlsHandshakes { get; init; }

    /// <summary>TLS targets: handshakes that resumed a session (<c>--tls-resume</c>).</summary>
    public long TlsResumedHandshakes { get; init; }

    /// <summary>Latency percentiles (open-loop runs: corrected for coordinated omission, measured from the intended send time).</summary>
    public required LatencySummary Latency { get; init; }

    /// <summary>Errors by kind.</summary>
    public required ErrorCounts Errors { get; init; }

    /// <summary>The server's resource use, when <c>--monitor-pid</c> was given.</summary>
    public MonitorSummary? Monitor { get; init; }
}

/// <summary>Latency percentiles in microseconds.</summary>
public sealed record LatencySummary
{
    /// <summary>Mean.</summary>
    public double MeanUs { get; init; }
    /// <summary>Median.</summary>
    public double P50Us { get; init; }
    /// <summary>90th percentile.</summary>
    public double P90Us { get; init; }
    /// <summary>99th percentile.</summary>
    public double P99Us { get; init; }
    /// <summary>99.9th percentile.</summary>
    public double P999Us { get; init; }
    /// <summary>Largest recorded.</summary>
    public double MaxUs { get; init; }
}

/// <summary>Errors by kind; <see cref="Total"/> is their sum.</summary>
public sealed record ErrorCounts
{
    /// <summary>connect(2) got ECONNREFUSED.</summary>
    public long ConnectRefused { get; init; }
    /// <summary>Any other connect failure (no ephemeral port left, EMFILE, timeout while connecting).</summary>
    public long ConnectFailed { get; init; }
    /// <summary>The server reset a connection (ECONNRESET, EPIPE).</summary>
    public long Reset { get; init; }
    /// <summary>No response within the request timeout.</summary>
    public long Timeout { get; init; }
    /// <summary>HTTP status other than the expected one (2xx by default).</summary>
    public long BadStatus { get; init; }
    /// <summary>The server closed the connection before a whole response arrived.</summary>
    public long ShortRead { get; init; }
    /// <summary>A response that is not what was asked for: echo bytes differ, malformed HTTP, wrong length.</summary>
    public long Corrupt { get; init; }

    /// <summary>A TLS handshake failed (the server's certificate was not accepted, no protocol in common, the server gave up).</summary>
    public long TlsHandshake { get; init; }

    /// <summary>Sum of every kind.</summary>
    public long Total => ConnectRefused + ConnectFailed + Reset + Timeout + BadStatus + ShortRead + Corrupt + TlsHandshake;
}

/// <summary>The server process (and its children) as <c>--monitor-pid</c> saw it: sampled from /proc every 100 ms.</summary>
public sealed record MonitorSummary
{
    /// <summary>The process watched.</summary>
    public int Pid { get; init; }
    /// <summary>RSS of the process tree at the first sample, bytes.</summary>
    public long RssStartBytes { get; init; }
    /// <summary>Largest RSS seen, bytes.</summary>
    public long RssPeakBytes { get; init; }
    /// <summary>RSS at the last sample, bytes.</summary>
    public long RssEndBytes { get; init; }
    /// <summary>Least-squares RSS slope over the second half of the run, KB per minute.</summary>
    public double RssSlopeKbPerMinute { get; init; }
    /// <summary><c>steady</c>, <c>growing</c>, or <c>too-short</c> (fewer samples than a verdict needs).</summary>
    public required string Verdict { get; init; }
    /// <summary>CPU seconds (user + system) the process tree used between the first and last sample.</summary>
    public double CpuSeconds { get; init; }
    /// <summary>Largest thread count seen.</summary>
    public int PeakThreads { get; init; }
    /// <summary>Largest open-fd count seen (-1 when /proc/PID/fd was not readable).</summary>
    public int PeakOpenFds { get; init; }
    /// <summary>Every sample, in order.</summary>
    public IReadOnlyList<MonitorSample> Samples { get; init; } = [];
}

/// <summary>One /proc sample of the watched process tree.</summary>
public sealed record MonitorSample
{
    /// <summary>Milliseconds since monitoring began.</summary>
    public long TimeMs { get; init; }
    /// <summary>Resident set size of the tree, bytes.</summary>
    public long RssBytes { get; init; }
    /// <summary>CPU use since the previous sample, percent of one core.</summary>
    public double CpuPercent { get; init; }
    /// <summary>Threads in the tree.</summary>
    public int Threads { get; init; }
    /// <summary>Open fds in the tree (-1 when unreadable).</summary>
    public int OpenFds { get; init; }
}

/// <summary>System.Text.Json source generation for the result types (no reflection: the CLI can be trimmed or AOT-compiled).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(LoadResult))]
public sealed partial class LoadResultJsonContext : JsonSerializerContext;
