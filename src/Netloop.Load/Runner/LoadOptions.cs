using System.Net;
using Netloop.Load.Http;
using Netloop.Load.Targets;

namespace Netloop.Load.Runner;

/// <summary>What a <c>netloop load</c> run does; the command line maps onto it one option to one property.</summary>
public sealed record LoadOptions
{
    /// <summary>The default request timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Connections an <see cref="Idle"/> run has opening or awaiting their one answer at once, by default.</summary>
    public const int DefaultIdleBatch = 512;

    /// <summary>The default run length.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(10);

    /// <summary>Where to send load, and which protocol.</summary>
    public required LoadTarget Target { get; init; }

    /// <summary>Connections kept open at once (each one a closed loop of requests). Default 64.</summary>
    public int Connections { get; init; } = 64;

    /// <summary>Client event loops (threads); connections are spread over them round-robin. Default 1.</summary>
    public int Loops { get; init; } = 1;

    /// <summary>How long to run; null to run until <see cref="Requests"/> are done. Default 10 s.</summary>
    public TimeSpan? Duration { get; init; } = DefaultDuration;

    /// <summary>Stop after this many requests in total (0: no limit, run for <see cref="Duration"/>).</summary>
    public long Requests { get; init; }

    /// <summary>Requests per connection before it closes and a new one opens (0: keep each connection for the whole run).</summary>
    public int RequestsPerConnection { get; init; }

    /// <summary>Requests in flight per connection (HTTP pipelining; for echo, messages in flight). Default 1.</summary>
    public int Pipeline { get; init; } = 1;

    /// <summary>Echo message size in bytes. Default 4096.</summary>
    public int PayloadBytes { get; init; } = 4096;

    /// <summary>Open-loop rate in requests/s over all connections (0: closed loop, each response triggers the next request).</summary>
    public double Rate { get; init; }

    /// <summary>Local addresses to connect from, round-robin per connection (empty: the kernel picks).</summary>
    public IReadOnlyList<IPAddress> SourceAddresses { get; init; } = [];

    /// <summary>How long a response may take before the request counts as a timeout and its connection is replaced; zero disables. Default 5 s.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Extra HTTP request headers, each <c>Name: value</c>.</summary>
    public IReadOnlyList<string> Headers { get; init; } = [];

    /// <summary>The HTTP method. Default GET.</summary>
    public string Method { get; init; } = "GET";

    /// <summary>The only HTTP status accepted (null: any 2xx).</summary>
    public int? ExpectStatus { get; init; }

    /// <summary>Open every connection, make one request on each, then hold them all silent until the duration ends.</summary>
    public bool Idle { get; init; }

    /// <summary>
    /// With <see cref="Idle"/>: at most this many connections are connecting or waiting for their one answer at once
    /// (over all loops); the next opens as one is answered, so N connections arrive as a user's client opens them, a
    /// batch at a time, rather than as one flood. Default <see cref="DefaultIdleBatch"/>.
    /// </summary>
    public int IdleBatch { get; init; } = DefaultIdleBatch;

    /// <summary>TLS targets: accept any certificate (a self-signed test certificate) instead of checking it.</summary>
    public bool Insecure { get; init; }

    /// <summary>TLS targets: a PEM file of the CAs to trust instead of the system's.</summary>
    public string? CaCertificatePath { get; init; }

    /// <summary>
    /// TLS targets: each new connection resumes the latest session its loop was given (TLS 1.3 ticket, TLS 1.2 ticket or
    /// id), so with <see cref="RequestsPerConnection"/> a run measures resumed handshakes; otherwise every one is full.
    /// </summary>
    public bool TlsResume { get; init; }

    /// <summary>A server process to watch (RSS, CPU, threads, fds) from before the load starts until it ends.</summary>
    public int? MonitorPid { get; init; }

    /// <summary>How often the progress callback runs. Default 1 s.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line message naming the option when the combination cannot run.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Target);
        Require(Connections >= 1, "--connections must be at least 1");
        Require(Loops >= 1, "--loops must be at least 1");
        Require(Loops <= Connections, $"--loops {Loops} is more than --connections {Connections}: every loop needs a connection");
        Require(Duration is null || Duration > TimeSpan.Zero, "--duration must be above zero");
        Require(Duration is not null || Requests > 0, "a run needs --duration or --requests");
        Require(Requests >= 0, "--requests must not be negative");
        Require(RequestsPerConnection >= 0, "--requests-per-connection must not be negative");
        Require(Pipeline is >= 1 and <= 1024, "--pipeline must be from 1 to 1024");
        Require(PayloadBytes is >= 1 and <= 64 * 1024 * 1024, "--payload must be from 1 byte to 64 MiB");
        Require(Rate >= 0 && double.IsFinite(Rate), "--rate must be a positive number of requests per second");
        Require(Timeout >= TimeSpan.Zero, "--timeout must not be negative");
        Require(ExpectStatus is null or (>= 100 and <= 999), "--expect-status must be a status code from 100 to 999");
        Require(IdleBatch >= 1, "--idle-batch must be at least 1");
        if (Idle)
        {
            Require(Duration is not null, "--idle needs --duration: it holds the connections until the duration ends");
            Require(Requests == 0, "--idle and --requests do not go together");
            Require(Rate == 0, "--idle and --rate do not go together");
            Require(RequestsPerConnection == 0, "--idle and --requests-per-connection do not go together");
        }
        if (Target.Protocol == TargetProtocol.Http2)
        {
            // netloop load is no HTTP/2 client: it opens the connections the bench's idle HTTP/2 case holds, and h2load loads.
            Require(Idle, "an h2c:// or h2s:// target needs --idle: netloop load opens idle HTTP/2 connections only (use h2load for HTTP/2 load)");
            Require(Pipeline == 1, "--pipeline does not apply to h2c:// and h2s:// targets");
        }
        if (Target.Protocol != TargetProtocol.Http)
        {
            Require(Headers.Count == 0, "--header applies to http:// targets only");
            Require(Method == "GET", "--method applies to http:// targets only");
            Require(ExpectStatus is null, "--expect-status applies to http:// targets only");
        }
        else
        {
            // Builds the request once now, so a bad header or method is reported before anything starts.
            _ = new HttpRequestTemplate(Target, Method, Headers);
        }
        if (!Target.IsTls)
        {
            Require(!Insecure, "--insecure applies to https:// and h2s:// targets only");
            Require(CaCertificatePath is null, "--cacert applies to https:// and h2s:// targets only");
            Require(!TlsResume, "--tls-resume applies to https:// and h2s:// targets only");
        }
        Require(!(Insecure && CaCertificatePath is not null), "--insecure and --cacert do not go together (--insecure checks no certificate)");
        Require(CaCertificatePath is null || File.Exists(CaCertificatePath), $"--cacert: file not found: {CaCertificatePath}");
        foreach (var source in SourceAddresses)
        {
            Require(source.AddressFamily == Target.EndPoint.AddressFamily,
                $"--source-addresses: {source} is not of the target's address family ({Target.EndPoint.Address})");
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new ArgumentException(message);
    }
}
