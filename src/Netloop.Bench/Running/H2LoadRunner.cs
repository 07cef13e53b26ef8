using System.Globalization;

namespace Netloop.Bench.Running;

/// <summary>What one h2load run produced: its result, or why there is none (a result with a <see cref="H2LoadResult.Problem"/> is a failed round too).</summary>
internal sealed record H2LoadOutcome(H2LoadResult? Result, string? Failure);

/// <summary>One h2load run as the bench asks for it: <c>GET uri</c> over h2c on <paramref name="Connections"/> connections with <paramref name="Streams"/> streams each, for <paramref name="Duration"/>.</summary>
internal sealed record H2LoadRequest(string Uri, int Connections, int Streams, TimeSpan Duration)
{
    /// <summary>
    /// The arguments after <c>h2load</c>: one thread (the load has one core, as <c>netloop load --loops 1</c>), a timed
    /// run (<c>-D</c>, so every server gets the same time rather than the same count), and an <c>http://</c> URI, which
    /// h2load speaks as HTTP/2 by prior knowledge.
    /// </summary>
    public IReadOnlyList<string> Arguments() =>
    [
        "-t", "1",
        "-c", Connections.ToString(CultureInfo.InvariantCulture),
        "-m", Streams.ToString(CultureInfo.InvariantCulture),
        "-D", string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Max(1, Math.Round(Duration.TotalMilliseconds))}ms"),
        Uri,
    ];
}

/// <summary>
/// Runs h2load (nghttp2-client), pinned to the load core like <c>netloop load</c> (with taskset; h2load has no option
/// of its own to pin itself, so without taskset it runs unpinned), and reads its summary. A run that outlives its
/// duration by far is killed.
/// </summary>
internal sealed class H2LoadRunner
{
    /// <summary>What the bench says when h2load is missing.</summary>
    public const string MissingReason = "h2load is not installed (Debian/Ubuntu: apt-get install nghttp2-client)";

    private readonly CpuPinning _pinning;
    private readonly string _logDirectory;

    /// <summary>Creates a runner that logs each run's output under <paramref name="logDirectory"/>; <paramref name="h2load"/> is its path, or null when not installed.</summary>
    public H2LoadRunner(string? h2load, CpuPinning pinning, string logDirectory)
    {
        Path = h2load;
        _pinning = pinning;
        _logDirectory = logDirectory;
    }

    /// <summary>h2load's path, or null when it is not installed.</summary>
    public string? Path { get; }

    /// <summary>Runs one h2load to its end; never throws for a run that failed, only reports it.</summary>
    public async Task<H2LoadOutcome> RunAsync(H2LoadRequest request, string logName, CancellationToken cancellationToken)
    {
        if (Path is null) return new H2LoadOutcome(null, MissingReason);
        var command = _pinning.ExternalLoad(new ProcessCommand(Path, request.Arguments()));
        ChildProcess process;
        try
        {
            process = ChildProcess.Start(command, System.IO.Path.Combine(_logDirectory, logName + ".log"), keepStdout: true);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return new H2LoadOutcome(null, $"h2load did not start: {e.Message}");
        }
        await using (process.ConfigureAwait(false))
        {
            var limit = request.Duration + TimeSpan.FromSeconds(30 + request.Connections / 1000.0);
            if (!await process.WaitForExitAsync(limit, cancellationToken).ConfigureAwait(false))
            {
                await process.StopAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
                return new H2LoadOutcome(null, cancellationToken.IsCancellationRequested
                    ? "interrupted"
                    : $"h2load did not finish within {limit.TotalSeconds:0} s; killed");
            }
            var result = H2LoadOutput.Parse(process.StdOut, out string? parseError);
            if (result is not null) return new H2LoadOutcome(result, result.Problem);
            string reason = process.LastLine.Length > 0 ? process.LastLine : parseError ?? "no output";
            return new H2LoadOutcome(null, process.ExitCode != 0
                ? $"h2load exited with code {process.ExitCode}: {reason}"
                : $"h2load printed no result: {parseError}");
        }
    }
}
