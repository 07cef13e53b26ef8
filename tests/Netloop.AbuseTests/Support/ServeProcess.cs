using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Netloop.AbuseTests.Support;

/// <summary>
/// One <c>dotnet Netloop.Cli.dll serve …</c> child process (under <c>prlimit</c> when a test sets an fd limit), with its
/// log captured and its figures read from <c>/proc/PID</c>: resident memory, CPU time, open fds. <see cref="StopAsync"/>
/// stops it with SIGTERM and returns the log, which ends with the stop line and the shutdown audit's <c>leaks:</c> line.
/// Disposing kills it if it still runs.
/// </summary>
internal sealed partial class ServeProcess : IAsyncDisposable
{
    private const int SIGTERM = 15;

    // USER_HZ: /proc/PID/stat counts CPU time in these ticks on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    private static readonly TimeSpan s_startWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_stopWait = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly ITestOutputHelper _output;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _tlsListening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServeProcess(Process process, ITestOutputHelper output)
    {
        _process = process;
        _output = output;
    }

    /// <summary>The server's pid (prlimit execs the server, so it is the child's own).</summary>
    public int Pid { get; private set; }

    /// <summary>The plaintext port, or the TLS port when the server serves TLS only.</summary>
    public int Port { get; private set; }

    /// <summary>The TLS port, when the server serves TLS; 0 otherwise.</summary>
    public int TlsPort { get; private set; }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Starts <c>serve --port 0</c> with <paramref name="args"/>; <paramref name="openFiles"/> sets RLIMIT_NOFILE (soft and hard).</summary>
    public static async Task<ServeProcess> StartAsync(ITestOutputHelper output, string[] args, int? openFiles = null, bool tls = false)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "Netloop.Cli.dll");
        Assert.True(File.Exists(cli), $"not built: {cli}");
        var info = new ProcessStartInfo(openFiles is null ? DotnetHost() : "prlimit")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (openFiles is int n)
        {
            info.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"--nofile={n}:{n}"));
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(DotnetHost());
        }
        info.ArgumentList.Add(cli);
        foreach (string arg in (string[])["serve", "--port", "0", .. args]) info.ArgumentList.Add(arg);
        var process = new Process { StartInfo = info };
        var serve = new ServeProcess(process, output);
        process.OutputDataReceived += (_, e) => serve.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => serve.OnLine(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output.WriteLine($"started: {string.Join(' ', info.ArgumentList)}");
        try
        {
            var exited = process.WaitForExitAsync();
            var started = Task.WhenAll(serve._listening.Task, tls ? serve._tlsListening.Task : Task.CompletedTask);
            var first = await Task.WhenAny(started, exited, Task.Delay(s_startWait));
            Assert.True(first == started, $"the server did not start (exited: {process.HasExited}):\n{serve.Log}");
            var line = ListeningLine().Match(await serve._listening.Task);
            serve.Pid = int.Parse(line.Groups["pid"].Value, CultureInfo.InvariantCulture);
            serve.Port = int.Parse(line.Groups["port"].Value, CultureInfo.InvariantCulture);
            if (tls) serve.TlsPort = int.Parse(TlsLine().Match(await serve._tlsListening.Task).Groups["port"].Value, CultureInfo.InvariantCulture);
            return serve;
        }
        catch
        {
            await serve.DisposeAsync();
            throw;
        }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
        if (ListeningLine().IsMatch(line)) _listening.TrySetResult(line);
        if (TlsLine().IsMatch(line)) _tlsListening.TrySetResult(line);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Resident memory now (VmRSS), in bytes.</summary>
    public long RssBytes => StatusField("VmRSS:") * 1024;

    /// <summary>Highest resident memory so far (VmHWM), in bytes.</summary>
    public long PeakRssBytes => StatusField("VmHWM:") * 1024;

    /// <summary>File descriptors open now.</summary>
    public int OpenFds => Directory.GetFiles($"/proc/{Pid}/fd").Length;

    /// <summary>CPU time used so far (user + system), from /proc/PID/stat.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            string stat = File.ReadAllText($"/proc/{Pid}/stat");
            // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / TicksPerSecond);
        }
    }

    /// <summary>The share of one core the server used over <paramref name="window"/> (1.0 is a core busy all the time).</summary>
    public async Task<double> SampleCpuAsync(TimeSpan window)
    {
        var cpuBefore = CpuTime;
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        var cpuAfter = CpuTime;
        return (cpuAfter - cpuBefore).TotalSeconds / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Waits until the server holds at most <paramref name="fds"/> fds (its connections closed); false at the deadline.</summary>
    public async Task<bool> WaitForFdsAtMostAsync(int fds, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (OpenFds <= fds) return true;
            await Task.Delay(100);
        }
        return OpenFds <= fds;
    }

    /// <summary>Stops the server with SIGTERM, requires exit 0 (a leak exits 1) and <c>leaks: none</c>, and returns its log.</summary>
    public async Task<string> StopCleanAsync()
    {
        Assert.Equal(0, Kill(Pid, SIGTERM));
        using var cts = new CancellationTokenSource(s_stopWait);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("the server did not stop after SIGTERM:\n" + Log);
        }
        _process.WaitForExit(); // all output events raised
        string log = Log;
        Assert.True(_process.ExitCode == 0, $"the server exited with {_process.ExitCode}:\n{log}");
        Assert.Contains("leaks: none", log);
        Assert.Matches(@"buffers outstanding 0\b", log);
        return log;
    }

    /// <summary>A counter of the stop line (<c>send timeouts 200</c> is <c>Counter(log, "send timeouts")</c>).</summary>
    public static long Counter(string log, string name)
    {
        var match = Regex.Match(log, Regex.Escape(name) + @" (\d+)");
        Assert.True(match.Success, $"no '{name} N' in the log:\n{log}");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // Already gone, or not reaped in time: nothing more a test can do.
        }
        finally
        {
            string log = Log;
            // A log of thousands of lines (a warning per rejected connection, rate-limited) would drown the figures.
            _output.WriteLine("--- server log (last 40 lines) ---");
            foreach (string line in log.Split('\n').TakeLast(40)) _output.WriteLine(line.TrimEnd('\r'));
            _process.Dispose();
        }
    }

    private long StatusField(string name)
    {
        foreach (string line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                return long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"no {name} in /proc/{Pid}/status");
    }

    private static string DotnetHost()
    {
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet") return current;
        string? sdkHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(sdkHost) && File.Exists(sdkHost) ? sdkHost : "dotnet";
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(?<port>\d+) \(.*pid (?<pid>\d+)\)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"TLS on 127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex TlsLine();
}
