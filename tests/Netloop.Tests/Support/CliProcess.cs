using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Xunit.Abstractions;

namespace Netloop.Tests.Support;

/// <summary>What a finished CLI run left behind.</summary>
internal readonly record struct CliResult(int ExitCode, string StdOut, string StdErr);

/// <summary>One <c>dotnet Netloop.Cli.dll …</c> process with its output captured; disposing kills it if it is still running.</summary>
internal sealed partial class CliProcess : IAsyncDisposable
{
    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    private static readonly TimeSpan s_exitWait = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly ITestOutputHelper _output;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private CliProcess(Process process, ITestOutputHelper output)
    {
        _process = process;
        _output = output;
    }

    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    public string StdOut
    {
        get { lock (_stdout) return _stdout.ToString(); }
    }

    public string StdErr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>The built CLI: the test project references it, so it is copied next to the test assembly.</summary>
    public static string CliPath { get; } = Path.Combine(AppContext.BaseDirectory, "Netloop.Cli.dll");

    public static CliProcess Start(ITestOutputHelper output, params string[] args) => StartAssembly(output, CliPath, args);

    /// <summary>Runs <c>dotnet <paramref name="assembly"/> …</c> (a sample app, say) with the same capture and signals.</summary>
    public static CliProcess StartAssembly(ITestOutputHelper output, string assembly, params string[] args)
    {
        Assert.True(File.Exists(assembly), $"not built: {assembly}");
        var info = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(assembly);
        foreach (string arg in args) info.ArgumentList.Add(arg);

        var process = new Process { StartInfo = info };
        var cli = new CliProcess(process, output);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (cli._stdout) cli._stdout.AppendLine(e.Data);
            cli._lines.Writer.TryWrite(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (cli._stderr) cli._stderr.AppendLine(e.Data);
        };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output.WriteLine($"started pid {process.Id}: {Path.GetFileName(assembly)} {string.Join(' ', args)}");
        return cli;
    }

    public static async Task<CliResult> RunToExitAsync(ITestOutputHelper output, params string[] args)
    {
        await using var cli = Start(output, args);
        Assert.True(await cli.WaitForExitAsync(s_exitWait), $"netloop {string.Join(' ', args)} did not exit within {s_exitWait.TotalSeconds} s:\n{cli.Transcript()}");
        return new CliResult(cli.ExitCode, cli.StdOut, cli.StdErr);
    }

    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                string line = await _lines.Reader.ReadAsync(cts.Token);
                var match = pattern.Match(line);
                if (match.Success) return match;
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no line matching /{pattern}/ within {timeout.TotalSeconds} s (exited: {_process.HasExited}):\n{Transcript()}");
            throw;
        }
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        // The parameterless overload returns at once here and guarantees the output events have all been raised.
        _process.WaitForExit();
        return true;
    }

    /// <summary>Sends <paramref name="signal"/> to this process only.</summary>
    public void Signal(int signal)
    {
        // A process started in the background by a non-interactive shell inherits SIGINT ignored, and .NET keeps it
        // that way (as nohup intends); SIGTERM takes the same graceful path, so the test still checks it.
        if (signal == SIGINT && IgnoresSignal(signal))
        {
            _output.WriteLine("SIGINT is ignored by the CLI process (inherited from the test runner); sending SIGTERM instead");
            signal = SIGTERM;
        }
        int rc = SysKill(_process.Id, signal);
        Assert.True(rc == 0, $"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public string Transcript() => $"--- stdout ---\n{StdOut}--- stderr ---\n{StdErr}";

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
            // Already gone, or not reaped in time: nothing more a test can do about it.
        }
        finally
        {
            _output.WriteLine(Transcript());
            _process.Dispose();
        }
    }

    private static string DotnetHost()
    {
        // Run the CLI on the same dotnet as the tests; the SDK also exports its host path to child processes.
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet") return current;
        string? sdkHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(sdkHost) && File.Exists(sdkHost) ? sdkHost : "dotnet";
    }

    private bool IgnoresSignal(int signal)
    {
        try
        {
            string? ignored = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            if (ignored is null) return false;
            ulong mask = ulong.Parse(ignored["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return (mask & (1UL << (signal - 1))) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);
}
