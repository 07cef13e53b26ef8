using System.Text.Json;
using Netloop.Load.Results;

namespace Netloop.Bench.Running;

/// <summary>What one <c>netloop load</c> child produced: its result, or why there is none.</summary>
internal sealed record LoadOutcome(LoadResult? Result, string? Failure);

/// <summary>
/// Runs <c>netloop load</c> as a child process of the same executable, pinned to the load core, so its CPU and memory
/// are its own; reads the one JSON document it prints. A load that outlives its duration by far is killed.
/// </summary>
internal sealed class LoadRunner
{
    private readonly NetloopExecutable _netloop;
    private readonly CpuPinning _pinning;
    private readonly string _logDirectory;

    /// <summary>Creates a runner that logs each load's stderr under <paramref name="logDirectory"/>.</summary>
    public LoadRunner(NetloopExecutable netloop, CpuPinning pinning, string logDirectory)
    {
        _netloop = netloop;
        _pinning = pinning;
        _logDirectory = logDirectory;
    }

    /// <summary>
    /// The load generator's runtime settings: its hot path fully optimized from the first request (no tiering), so a
    /// 5–10 s case is not measured half on tier-0 code. Tiered PGO would reach a faster steady state only after a few
    /// seconds of the run: pipelined 16 deep, a 5 s load reached 0.87–1.0 M req/s tiered and 1.69 M with this. The
    /// servers keep the runtime's defaults (tiered PGO, warmed up before each measurement).
    /// </summary>
    private static readonly Dictionary<string, string> s_loadEnvironment = new() { ["DOTNET_TieredCompilation"] = "0" };

    /// <summary>How long past its duration a load may take (connecting thousands of sockets, draining, printing) before it is killed.</summary>
    public static TimeSpan Slack(LoadRequest request) => TimeSpan.FromSeconds(30 + request.Connections / 1000.0);

    /// <summary>Runs one load to its end; never throws for a load that failed, only reports it.</summary>
    public async Task<LoadOutcome> RunAsync(LoadRequest request, string logName, CancellationToken cancellationToken)
    {
        var command = _pinning.Load(_netloop.Run(request.Arguments())) with { Environment = s_loadEnvironment };
        ChildProcess process;
        try
        {
            process = ChildProcess.Start(command, Path.Combine(_logDirectory, logName + ".log"), keepStdout: true);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return new LoadOutcome(null, $"load did not start: {e.Message}");
        }
        await using (process.ConfigureAwait(false))
        {
            var limit = request.Duration + Slack(request);
            if (!await process.WaitForExitAsync(limit, cancellationToken).ConfigureAwait(false))
            {
                await process.StopAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
                return new LoadOutcome(null, cancellationToken.IsCancellationRequested
                    ? "interrupted"
                    : $"load did not finish within {limit.TotalSeconds:0} s; killed");
            }
            var result = Parse(process.StdOut, out string? parseError);
            if (result is not null) return new LoadOutcome(result, null);
            string reason = process.LastLine.Length > 0 ? process.LastLine : parseError ?? "no output";
            return new LoadOutcome(null, process.ExitCode != 0
                ? $"load exited with code {process.ExitCode}: {reason}"
                : $"load printed no result: {parseError}");
        }
    }

    /// <summary>Reads the JSON document <c>netloop load --json</c> prints; null (with the reason) when there is none.</summary>
    public static LoadResult? Parse(string stdout, out string? error)
    {
        string text = stdout.Trim();
        if (text.Length == 0)
        {
            error = "empty output";
            return null;
        }
        try
        {
            var result = JsonSerializer.Deserialize(text, LoadResultJsonContext.Default.LoadResult);
            error = result is null ? "the output is JSON null" : null;
            return result;
        }
        catch (JsonException e)
        {
            error = $"the output is not a load result ({e.Message.Split('.')[0]})";
            return null;
        }
    }
}
