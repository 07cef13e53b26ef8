using System.Diagnostics;

namespace Netloop.Tests.Load.Monitoring;

/// <summary>A child process for the monitor to watch; disposing kills it (and its children) by pid and waits for it.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public static ChildProcess Start(string fileName, params string[] args)
    {
        var info = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardInput = true };
        foreach (string arg in args) info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        process.StandardInput.Close();
        return new ChildProcess(process);
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }
}
