using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Netloop.Bench.Cases;
using Netloop.Native;

namespace Netloop.Bench.Running;

/// <summary>One spawn of a start-up case: milliseconds to the first correct answer and RSS then, or why there was none.</summary>
/// <param name="Milliseconds">From just before the fork to the first correct answer.</param>
/// <param name="RssBytes">RSS of the server's process tree (/proc/PID/statm) right after that answer.</param>
/// <param name="Failure">Why the spawn gave no figure; null when it did.</param>
internal readonly record struct StartupSample(double Milliseconds, long RssBytes, string? Failure)
{
    /// <summary>A spawn that gave no figure.</summary>
    public static StartupSample Failed(string reason) => new(0, 0, reason);
}

/// <summary>
/// Times one start of a server: spawns it and at once asks its port for an answer in a tight loop — a refused connect
/// is retried after <see cref="RetryPause"/>, so the figure is late by at most that — until the first correct answer
/// (the echo of a line, or a 200 to <c>GET /plaintext</c>). The clock runs from just before the fork; the RSS is read
/// right after the answer; then the server is stopped by its pid (SIGTERM, then SIGKILL).
/// </summary>
/// <remarks>
/// All of it runs on a thread of its own. That thread forks from the server's core, so the server is born pinned
/// (a child inherits the forking thread's CPU mask) without taskset, whose own exec would add about 0.7 ms to every
/// figure; it then moves to the load's core, so polling takes no CPU from the server.
/// </remarks>
internal static class StartupProbe
{
    /// <summary>Pause between attempts while the port refuses.</summary>
    public static readonly TimeSpan RetryPause = TimeSpan.FromMicroseconds(100);

    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_exitCheckInterval = TimeSpan.FromMilliseconds(2);
    private static readonly byte[] s_echoMessage = "netloop bench start-up probe\n"u8.ToArray();
    // Not an answer yet rather than a wrong one: the server closed the connection before writing anything.
    private static readonly string s_closed = "closed";
    private static readonly byte[] s_httpRequest = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"u8.ToArray();

    /// <summary>Spawns <paramref name="command"/> once and times its first answer on <paramref name="port"/>; the server is stopped before this returns.</summary>
    /// <param name="command">The server command, not wrapped in taskset.</param>
    /// <param name="port">The port it listens on, on 127.0.0.1.</param>
    /// <param name="protocol">What a correct answer is: an echo round trip, or <c>GET /plaintext</c> answered 200.</param>
    /// <param name="serverCpu">Core the server is pinned to, or null to leave it unpinned.</param>
    /// <param name="probeCpu">Core for the polling thread (the load's), or null to leave it unpinned.</param>
    /// <param name="logPath">The server's output is appended here.</param>
    /// <param name="timeout">How long to wait for the first answer.</param>
    /// <param name="cancellationToken">Stops the wait (the server is stopped all the same).</param>
    public static async Task<StartupSample> MeasureAsync(
        ProcessCommand command, int port, LoadProtocol protocol, int? serverCpu, int? probeCpu, string logPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<(ChildProcess? Process, StartupSample Sample)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(SpawnAndProbe(command, port, protocol, serverCpu, probeCpu, logPath, timeout, cancellationToken));
            }
            catch (Exception e)
            {
                // Handed to the awaiting task: an exception escaping a thread would end the whole bench.
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "start-up probe",
        };
        thread.Start();
        var (process, sample) = await done.Task.ConfigureAwait(false);
        if (process is not null)
        {
            await process.StopAsync(s_stopGrace).ConfigureAwait(false);
            await process.DisposeAsync().ConfigureAwait(false);
        }
        return sample;
    }

    private static (ChildProcess? Process, StartupSample Sample) SpawnAndProbe(
        ProcessCommand command, int port, LoadProtocol protocol, int? serverCpu, int? probeCpu, string logPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (serverCpu is { } core && Sys.SetAffinity(0, core) is < 0 and int error)
        {
            return (null, StartupSample.Failed($"cannot pin to cpu {core}: {(Errno)(-error)}"));
        }
        var clock = new Stopwatch();
        ChildProcess process;
        try
        {
            process = ChildProcess.Start(command, logPath, spawnClock: clock);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return (null, StartupSample.Failed($"did not start: {e.Message}"));
        }
        // Only now, the child having taken this thread's mask at the fork.
        if (probeCpu is { } cpu) Sys.SetAffinity(0, cpu);

        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        string problem = "connection refused";
        var nextExitCheck = TimeSpan.Zero;
        while (!cancellationToken.IsCancellationRequested)
        {
            var elapsed = clock.Elapsed;
            if (elapsed > timeout)
            {
                return (process, StartupSample.Failed(string.Create(CultureInfo.InvariantCulture,
                    $"no answer within {timeout.TotalSeconds:0} s ({problem}): {LastLine(process)}")));
            }
            if (elapsed >= nextExitCheck)
            {
                if (process.HasExited)
                {
                    process.WaitForExitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).GetAwaiter().GetResult();
                    return (process, StartupSample.Failed($"exited with code {process.ExitCode} before answering: {LastLine(process)}"));
                }
                nextExitCheck = elapsed + s_exitCheckInterval;
            }

            var (answered, wrong, why) = TryOnce(endpoint, protocol, timeout - elapsed);
            if (answered)
            {
                double milliseconds = clock.Elapsed.TotalMilliseconds;
                long rss = ProcessTree.Read([process.Pid]).RssBytes;
                return (process, new StartupSample(milliseconds, rss, null));
            }
            if (wrong) return (process, StartupSample.Failed(why));
            problem = why;
            Pause(RetryPause);
        }
        return (process, StartupSample.Failed("interrupted"));
    }

    // One connection: answered, or a wrong answer (final), or not yet (refused, reset, closed: try again).
    private static (bool Answered, bool Wrong, string Problem) TryOnce(IPEndPoint endpoint, LoadProtocol protocol, TimeSpan answerTimeout)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(endpoint);
            int wait = (int)Math.Clamp(answerTimeout.TotalMilliseconds, 1, int.MaxValue);
            socket.SendTimeout = wait;
            socket.ReceiveTimeout = wait;
            string? wrong = protocol == LoadProtocol.Echo ? Echo(socket) : Http(socket);
            if (wrong is null) return (true, false, "");
            return ReferenceEquals(wrong, s_closed) ? (false, false, "closed before answering") : (false, true, wrong);
        }
        catch (SocketException e)
        {
            return (false, false, e.SocketErrorCode.ToString());
        }
    }

    private static string? Echo(Socket socket)
    {
        socket.Send(s_echoMessage);
        byte[] received = new byte[s_echoMessage.Length];
        int total = 0;
        while (total < received.Length)
        {
            int n = socket.Receive(received, total, received.Length - total, SocketFlags.None);
            if (n == 0) return s_closed;
            total += n;
        }
        return received.AsSpan().SequenceEqual(s_echoMessage) ? null : "the echo came back altered";
    }

    private static string? Http(Socket socket)
    {
        socket.Send(s_httpRequest);
        byte[] buffer = new byte[1024];
        int total = 0;
        while (total < buffer.Length && buffer.AsSpan(0, total).IndexOf("\r\n"u8) < 0)
        {
            int n = socket.Receive(buffer, total, buffer.Length - total, SocketFlags.None);
            if (n == 0) break;
            total += n;
        }
        if (total == 0) return s_closed;
        string head = Encoding.Latin1.GetString(buffer, 0, total);
        int end = head.IndexOf('\r', StringComparison.Ordinal);
        string statusLine = end < 0 ? head : head[..end];
        return statusLine.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) ? null : $"GET /plaintext answered '{statusLine}'";
    }

    // Busy-waits on a pinned core (sched_yield returns at once when nothing else wants it); on a shared core, yields to the server.
    private static void Pause(TimeSpan pause)
    {
        long until = Stopwatch.GetTimestamp() + (long)(pause.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until) Thread.Yield();
    }

    private static string LastLine(ChildProcess process) => process.LastLine.Length > 0 ? process.LastLine : "(no output)";
}
