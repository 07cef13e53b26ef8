using System.Diagnostics;
using System.Text;

namespace Netloop.Bench.Running;

/// <summary>
/// A process the bench started (a server or a load generator): its output goes to a log file as it comes, stdout is
/// also kept when asked (the load's JSON), and stopping it never waits forever. Only this process and its own
/// descendants are ever signalled.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly StringBuilder? _stdout;
    private readonly Action<string>? _onOutputLine;
    private readonly Lock _gate = new();
    private string _lastErrorLine = "";
    private string _lastOutputLine = "";
    private int _outputLines;
    private bool _closed;

    private ChildProcess(Process process, StreamWriter log, bool keepStdout, Action<string>? onOutputLine)
    {
        _process = process;
        _log = log;
        _stdout = keepStdout ? new StringBuilder() : null;
        _onOutputLine = onOutputLine;
    }

    /// <summary>The process id (taskset execs the program, so this is the program's own pid).</summary>
    public int Pid { get; private set; }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once ended.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything written to stdout, when started with <c>keepStdout</c>.</summary>
    public string StdOut
    {
        get { lock (_gate) return _stdout?.ToString() ?? ""; }
    }

    /// <summary>The last non-empty stderr line (or, when stderr was silent, stdout line): what a failure is reported with.</summary>
    public string LastLine
    {
        get { lock (_gate) return _lastErrorLine.Length > 0 ? _lastErrorLine : _lastOutputLine; }
    }

    /// <summary>Stdout lines so far; a server that logs "listening" has printed at least one.</summary>
    public int OutputLines
    {
        get { lock (_gate) return _outputLines; }
    }

    /// <summary>
    /// Starts <paramref name="command"/> with stdin closed and its output appended to <paramref name="logPath"/>;
    /// <paramref name="onOutputLine"/>, when given, sees every stdout line as it arrives (on a reader thread).
    /// <paramref name="spawnClock"/>, when given, is started just before the fork, once the log is open (the start-up case times from there).
    /// </summary>
    public static ChildProcess Start(ProcessCommand command, string logPath, bool keepStdout = false, Action<string>? onOutputLine = null, Stopwatch? spawnClock = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        var info = new ProcessStartInfo(command.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in command.Arguments) info.ArgumentList.Add(argument);
        if (command.Environment is not null)
        {
            foreach (var (name, value) in command.Environment) info.Environment[name] = value;
        }
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process, log, keepStdout, onOutputLine);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, isError: true);
        lock (child._gate) log.WriteLine($"$ {command}");
        try
        {
            spawnClock?.Start();
            process.Start();
        }
        catch (Exception)
        {
            log.Dispose();
            process.Dispose();
            throw;
        }
        child.Pid = process.Id;
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the process to end; false when <paramref name="timeout"/> passed first (or <paramref name="cancellationToken"/> fired).</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        // The parameterless overload returns at once now and guarantees every output line has been delivered.
        _process.WaitForExit();
        return true;
    }

    /// <summary>
    /// SIGTERM, then up to <paramref name="grace"/> for a clean exit, then SIGKILL to the process and its
    /// descendants. Returns how it ended: <c>exited</c>, <c>killed</c>, or <c>already exited</c>.
    /// </summary>
    public async Task<string> StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return "already exited";
        Posix.Signal(Pid, Posix.SIGTERM);
        if (await WaitForExitAsync(grace).ConfigureAwait(false)) return "exited";
        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return "killed";
    }

    /// <summary>SIGKILL to the process and its descendants, at once.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Kills the process if it still runs and closes its log.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            await WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        lock (_gate)
        {
            _closed = true;
            _log.Dispose();
        }
        _process.Dispose();
    }

    private void OnLine(string? line, bool isError)
    {
        if (line is null) return;
        lock (_gate)
        {
            if (_closed) return;
            if (isError)
            {
                if (!string.IsNullOrWhiteSpace(line)) _lastErrorLine = line.Trim();
                _log.WriteLine(line);
                return;
            }
            _outputLines++;
            if (!string.IsNullOrWhiteSpace(line)) _lastOutputLine = line.Trim();
            _stdout?.AppendLine(line);
            _log.WriteLine(line);
        }
        _onOutputLine?.Invoke(line);
    }
}
