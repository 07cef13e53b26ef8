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
    /// <summary>File descriptors a server or load process keeps for itself besides connections.</summary>
    public const int ReservedFds = 512;

    /// <summary>Connections one process can hold within its file limit.</summary>
    public int ConnectionsPerProcess => (int)Math.Clamp(OpenFileLimit - ReservedFds, 64, int.MaxValue);

    /// <summary>How long an idle connection must be allowed to stay open: longer than anything a case holds.</summary>
    public TimeSpan IdleTimeout => TimeSpan.FromSeconds(60) + 2 * (Duration > SoakDuration ? Duration : SoakDuration);
}
