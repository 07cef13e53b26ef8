namespace Netloop.Bench.Experiment;

/// <summary>What <c>netloop bench experiment</c> was asked to run.</summary>
internal sealed record ExperimentOptions
{
    /// <summary>The command line as typed, for the report.</summary>
    public required string Command { get; init; }

    /// <summary>The CLI's dll, to run <c>netloop serve</c> again (under the dotnet host).</summary>
    public required string CliAssemblyPath { get; init; }

    /// <summary>Modes, by their <c>--mode</c> names, in run order.</summary>
    public required IReadOnlyList<string> Modes { get; init; }

    /// <summary>Batches of simultaneous clients; each batch is awaited before the next starts.</summary>
    public required int Batches { get; init; }

    /// <summary>Simultaneous clients per batch.</summary>
    public required int Clients { get; init; }

    /// <summary>The handler's slow work after the echo (<c>serve --handler-delay</c>).</summary>
    public required TimeSpan HandlerDelay { get; init; }

    /// <summary>Longest one mode may take; past it the clients stop and the server is told to stop.</summary>
    public required TimeSpan ModeTimeout { get; init; }

    /// <summary>Where results.json, report.md, the chart and logs/ go.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Core the servers are pinned to, or null.</summary>
    public int? ServerCpu { get; init; }
}
