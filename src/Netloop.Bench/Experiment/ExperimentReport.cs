using System.Text.Json.Serialization;

namespace Netloop.Bench.Experiment;

/// <summary>Everything one <c>netloop bench experiment</c> measured: <c>results.json</c>.</summary>
internal sealed record ExperimentReport
{
    public required string Command { get; init; }

    public required DateTimeOffset StartedUtc { get; init; }

    public required double ElapsedSeconds { get; init; }

    public required int Batches { get; init; }

    public required int Clients { get; init; }

    public required double HandlerDelayMs { get; init; }

    public required double ModeTimeoutSeconds { get; init; }

    public required string Machine { get; init; }

    public required IReadOnlyList<ExperimentResult> Results { get; init; }
}

/// <summary>System.Text.Json source generation for the experiment's <c>results.json</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ExperimentReport))]
internal sealed partial class ExperimentJsonContext : JsonSerializerContext;
