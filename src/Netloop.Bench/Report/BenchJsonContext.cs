using System.Text.Json.Serialization;

namespace Netloop.Bench.Report;

/// <summary>System.Text.Json source generation for <c>results.json</c> (no reflection, like the rest of the CLI).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
