using System.Diagnostics;
using Netloop.Bench.Cases;
using Netloop.Bench.Running;

namespace Netloop.Bench.Servers;

/// <summary>A server under test, started by the bench and known to answer; stopping it never leaves a process behind.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_probeInterval = TimeSpan.FromMilliseconds(100);

    private readonly ChildProcess _process;
    private readonly StatsInbox _stats;

    private ServerProcess(ChildProcess process, StatsInbox stats, int port)
    {
        _process = process;
        _stats = stats;
        Port = port;
    }

    /// <summary>The server's pid (the root of its process tree).</summary>
    public int Pid => _process.Pid;

    /// <summary>The port it listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Whether it has ended on its own.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>"exited with code N: last line", for a server that ended while it should be serving.</summary>
    public string ExitDescription => _process.HasExited ? $"server exited with code {_process.ExitCode}: {LastLine(_process)}" : "server is running";

    /// <summary>
    /// Starts <paramref name="command"/> and waits (at most <paramref name="timeout"/>) until it answers on
    /// <paramref name="port"/>: <see cref="ReadinessProbe"/> succeeds and, when <paramref name="waitForOutput"/> is set,
    /// the server has printed its start-up line (a probe alone cannot tell which of several processes sharing a port answered).
    /// </summary>
    public static async Task<(ServerProcess? Server, string? Failure)> StartAsync(
        ProcessCommand command, int port, LoadProtocol protocol, bool waitForOutput, string logPath, TimeSpan timeout, CancellationToken cancellationToken, bool tls = false)
    {
        ChildProcess process;
        var stats = new StatsInbox();
        try
        {
            process = ChildProcess.Start(command, logPath, onOutputLine: stats.OnLine);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return (null, $"did not start: {e.Message}");
        }

        var clock = Stopwatch.StartNew();
        string? problem = "no answer yet";
        while (clock.Elapsed < timeout && !cancellationToken.IsCancellationRequested)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
                string line = LastLine(process);
                // Read before the dispose, after which the exit code is gone (an InvalidOperationException).
                int exitCode = process.ExitCode;
                await process.DisposeAsync().ConfigureAwait(false);
                return (null, $"did not start (exit code {exitCode}): {line}");
            }
            if (!waitForOutput || process.OutputLines > 0)
            {
                problem = await ReadinessProbe.TryAsync(port, protocol, cancellationToken, tls).ConfigureAwait(false);
                if (problem is null) return (new ServerProcess(process, stats, port), null);
            }
            try
            {
                await Task.Delay(s_probeInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        string last = LastLine(process);
        await process.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        await process.DisposeAsync().ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested) return (null, "interrupted while starting");
        return (null, $"did not start within {timeout.TotalSeconds:0} s ({problem}): {last}");
    }

    /// <summary>
    /// Asks the server for its counters (SIGUSR2, see <see cref="ServerStatsLine"/>) and waits at most
    /// <paramref name="timeout"/> for the line. Null when the server does not catch SIGUSR2 (nginx: the signal would end
    /// it), has exited, or did not answer in time. One request at a time.
    /// </summary>
    public async Task<ServerStatsLine?> ReadStatsAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_process.HasExited || !Posix.Catches(Pid, Posix.SIGUSR2)) return null;
        var answer = _stats.Expect();
        try
        {
            if (!Posix.Signal(Pid, Posix.SIGUSR2)) return null;
            return await answer.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            return null;
        }
        finally
        {
            _stats.Forget(answer);
        }
    }

    /// <summary>Stops the server: SIGTERM, then SIGKILL to its tree after <paramref name="grace"/>. Returns how it ended.</summary>
    public Task<string> StopAsync(TimeSpan grace) => _process.StopAsync(grace);

    /// <summary>Kills the server if it still runs.</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static string LastLine(ChildProcess process) => process.LastLine.Length > 0 ? process.LastLine : "(no output)";

    // Hands the next stats line to whoever is waiting for one; a line nobody waits for (a late answer) is dropped.
    private sealed class StatsInbox
    {
        private readonly Lock _gate = new();
        private TaskCompletionSource<ServerStatsLine>? _waiting;

        public Task<ServerStatsLine> Expect()
        {
            var waiting = new TaskCompletionSource<ServerStatsLine>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate) _waiting = waiting;
            return waiting.Task;
        }

        public void Forget(Task<ServerStatsLine> answer)
        {
            lock (_gate)
            {
                if (_waiting?.Task == answer) _waiting = null;
            }
        }

        public void OnLine(string line)
        {
            if (ServerStatsLine.TryParse(line) is not { } stats) return;
            TaskCompletionSource<ServerStatsLine>? waiting;
            lock (_gate)
            {
                waiting = _waiting;
                _waiting = null;
            }
            waiting?.TrySetResult(stats);
        }
    }
}
