using Netloop.Bench.Cases;
using Netloop.Bench.Servers;

namespace Netloop.Bench.Running;

/// <summary>What a run will do, decided from the command line before anything starts.</summary>
/// <param name="Servers">Servers, in the order each round visits them.</param>
/// <param name="Cases">Cases, in catalog order.</param>
/// <param name="Rounds">Rounds: every server, then every server again, so a burst of host noise hits them all.</param>
/// <param name="Duration">Load time per case and round (the idle case holds its connections this long).</param>
/// <param name="Warmup">Load before the first measured case of each server start (JIT, tiered PGO), not measured.</param>
/// <param name="SoakDuration">Load time of the soak.</param>
/// <param name="OpenFileLimit">RLIMIT_NOFILE of each child process: how many connections one process can hold.</param>
internal sealed record BenchPlan(
    IReadOnlyList<ServerSpec> Servers,
    IReadOnlyList<BenchCase> Cases,
    int Rounds,
    TimeSpan Duration,
    TimeSpan Warmup,
    TimeSpan SoakDuration,
    long OpenFileLimit)
{
    /// <summary>
    /// The servers the HTTP/2 cases run against, by name; null for every server that speaks HTTP/2. <c>--quick</c> without
    /// <c>--servers</c> keeps them to the comparison the HTTP/2 targets are about (epoll, Kestrel, nginx), to stay short.
    /// </summary>
    public IReadOnlySet<string>? Http2Servers { get; init; }

    /// <summary>Whether <paramref name="spec"/> is measured in <paramref name="benchCase"/>: it runs the case (<see cref="ServerSpec.Runs"/>) and the plan keeps it.</summary>
    public bool Runs(ServerSpec spec, BenchCase benchCase) => Exclusion(spec, benchCase) is null && spec.Runs(benchCase);

    /// <summary>
    /// Why <paramref name="spec"/> is left out of an HTTP/2 case, for a "–" row in the report: it does not speak HTTP/2, or
    /// the plan keeps the case to other servers. Null when it takes part, and for every other case (those leave out
    /// what does not run them without a row, as they always have).
    /// </summary>
    public string? Exclusion(ServerSpec spec, BenchCase benchCase)
    {
        if (benchCase.Protocol != LoadProtocol.Http2) return null;
        if (spec.AbsenceReason(benchCase.Protocol) is { } reason) return reason;
        if (Http2Servers is not null && !Http2Servers.Contains(spec.Name))
        {
            return $"not in --quick's HTTP/2 set ({string.Join(", ", Http2Servers.Order(StringComparer.Ordinal))})";
        }
        return null;
    }

    /// <summary>File descriptors a server or load process keeps for itself besides connections.</summary>
    public const int ReservedFds = 512;

    /// <summary>Connections one process can hold within its file limit.</summary>
    public int ConnectionsPerProcess => (int)Math.Clamp(OpenFileLimit - ReservedFds, 64, int.MaxValue);

    /// <summary>How long an idle connection must be allowed to stay open: longer than anything a case holds.</summary>
    public TimeSpan IdleTimeout => TimeSpan.FromSeconds(60) + 2 * (Duration > SoakDuration ? Duration : SoakDuration);
}
