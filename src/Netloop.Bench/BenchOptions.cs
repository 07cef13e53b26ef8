using Netloop.Bench.Cases;
using Netloop.Bench.Servers;

namespace Netloop.Bench;

/// <summary>Everything <c>netloop bench</c> was asked to do, checked and with defaults applied.</summary>
internal sealed record BenchOptions
{
    /// <summary>The command line as typed, for the report.</summary>
    public required string Command { get; init; }

    /// <summary>The CLI's own dll, to start <c>netloop serve</c> and <c>netloop load</c> again (see <see cref="Running.NetloopExecutable"/>).</summary>
    public required string CliAssemblyPath { get; init; }

    /// <summary><c>--quick</c>: the short subset with shorter defaults.</summary>
    public bool Quick { get; init; }

    /// <summary>Servers in visiting order.</summary>
    public required IReadOnlyList<ServerSpec> Servers { get; init; }

    /// <summary>Cases in catalog order.</summary>
    public required IReadOnlyList<BenchCase> Cases { get; init; }

    /// <summary>Rounds.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Load time per case and round.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Unmeasured load after each server start.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The soak's length.</summary>
    public TimeSpan SoakDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Idle connections of the idle case.</summary>
    public int IdleConnections { get; init; } = 10_000;

    /// <summary>Idle connections of the HTTP/2 idle case (<c>--idle-h2</c>); null: as many as <see cref="IdleConnections"/>.</summary>
    public int? IdleH2Connections { get; init; }

    /// <summary>The servers the HTTP/2 cases run against (see <see cref="Running.BenchPlan.Http2Servers"/>); null: every server that speaks HTTP/2.</summary>
    public IReadOnlySet<string>? Http2Servers { get; init; }

    /// <summary>Where results.json, report.md, the charts and logs/ go.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The servers' core, or null for no pinning.</summary>
    public int? ServerCpu { get; init; }

    /// <summary>The load's core, or null for no pinning.</summary>
    public int? LoadCpu { get; init; }

    /// <summary>The clone the bench runs in (for the Kestrel peer), or null.</summary>
    public string? RepositoryRoot { get; init; }
}
