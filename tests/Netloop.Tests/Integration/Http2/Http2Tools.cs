using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Http2;

/// <summary>What a finished client tool left behind.</summary>
internal sealed record Http2ToolRun(string CommandLine, int ExitCode, byte[] StdOut, string StdErr)
{
    public string StdOutText => Encoding.Latin1.GetString(StdOut);

    public string Describe()
    {
        string stdout = StdOut.Length <= 8192 ? StdOutText : $"({StdOut.Length} bytes; the first 8192:)\n{Encoding.Latin1.GetString(StdOut, 0, 8192)}";
        string stderr = StdErr.Length <= 16384 ? StdErr : StdErr[..16384] + "\n(stderr cut at 16384 chars)";
        return $"$ {CommandLine}\nexit code {ExitCode}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}";
    }

    /// <summary>The JSON line a script under <c>scripts/</c> printed last.</summary>
    public JsonElement Json()
    {
        string? line = StdOutText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        Assert.True(ExitCode == 0 && line is not null && line.StartsWith('{'), $"the script printed no JSON line:\n{Describe()}");
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }
}

/// <summary>
/// Runs the HTTP/2 client tools (curl, nghttp, h2load) and the python3-h2 scripts of <c>scripts/</c>, each bounded by a
/// timeout after which it is killed (only that process and its children). A missing tool is a failure, not a skip:
/// <c>.ci/run</c> installs them.
/// </summary>
internal static class Http2Tools
{
    /// <summary>Debian's python: the one on PATH may be a pyenv build without the h2/hpack modules.</summary>
    public const string Python = "/usr/bin/python3";

    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(120);

    /// <summary>The path of <paramref name="name"/> in <c>tests/Netloop.Tests/Integration/Http2/scripts/</c> of the source tree.</summary>
    public static string Script(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Netloop.sln"))) directory = directory.Parent;
        Assert.True(directory is not null, $"no Netloop.sln above {AppContext.BaseDirectory}");
        string path = Path.Combine(directory.FullName, "tests", "Netloop.Tests", "Integration", "Http2", "scripts", name);
        Assert.True(File.Exists(path), $"missing script {path}");
        return path;
    }

    /// <summary>Runs a script with Debian's python3 (which has python3-h2).</summary>
    public static Task<Http2ToolRun> PythonAsync(ITestOutputHelper output, string script, IEnumerable<string> args, TimeSpan? wait = null)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing; .ci/run installs python3-h2 with apt-get");
        // -B: no __pycache__ beside the scripts in the source tree.
        return RunAsync(output, Python, ["-B", Script(script), .. args], wait);
    }

    /// <summary>
    /// Starts <paramref name="tool"/>, writes <paramref name="stdin"/> to it (then end of file), reads its output, and
    /// kills it when <paramref name="wait"/> passes first.
    /// </summary>
    public static async Task<Http2ToolRun> RunAsync(ITestOutputHelper output, string tool, IEnumerable<string> args, TimeSpan? wait = null, Func<string, Task>? onStdOutLine = null, byte[]? stdin = null)
    {
        var running = Start(tool, args, stdin);
        output.WriteLine($"$ {running.CommandLine}");
        var limit = wait ?? DefaultWait;
        using var timeout = new CancellationTokenSource(limit);
        var stdout = new MemoryStream();
        var reading = onStdOutLine is null
            ? running.Process.StandardOutput.BaseStream.CopyToAsync(stdout, timeout.Token)
            : ReadLinesAsync(running.Process.StandardOutput, stdout, onStdOutLine, timeout.Token);
        var readingErrors = running.Process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await running.Process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(reading, readingErrors);
        }
        catch (OperationCanceledException)
        {
            running.Process.Kill(entireProcessTree: true);
            running.Process.Dispose();
            Assert.Fail($"{running.CommandLine} did not finish within {limit.TotalSeconds} s; stdout so far:\n{Encoding.Latin1.GetString(stdout.ToArray())}");
        }
        var run = new Http2ToolRun(running.CommandLine, running.Process.ExitCode, stdout.ToArray(), await readingErrors);
        running.Process.Dispose();
        output.WriteLine($"exit code {run.ExitCode}, {run.StdOut.Length} bytes on stdout");
        if (run.StdOut.Length < 4096) output.WriteLine(run.StdOutText);
        return run;
    }

    private static (Process Process, string CommandLine) Start(string tool, IEnumerable<string> args, byte[]? stdin)
    {
        RequireTool(tool);
        var info = new ProcessStartInfo(tool)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in args) info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {tool}");
        try
        {
            if (stdin is not null) process.StandardInput.BaseStream.Write(stdin);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The tool quit before reading all of it (a refused handshake): its exit code and output tell the test.
        }
        return (process, tool + " " + string.Join(' ', info.ArgumentList));
    }

    private static async Task ReadLinesAsync(StreamReader reader, MemoryStream copy, Func<string, Task> onLine, CancellationToken cancellation)
    {
        while (await reader.ReadLineAsync(cancellation) is { } line)
        {
            byte[] bytes = Encoding.Latin1.GetBytes(line + "\n");
            copy.Write(bytes);
            await onLine(line);
        }
    }

    private static void RequireTool(string tool)
    {
        if (Path.IsPathRooted(tool))
        {
            Assert.True(File.Exists(tool), $"{tool} is not installed");
            return;
        }
        string package = tool switch
        {
            "nghttp" or "h2load" => "nghttp2-client",
            "testssl" => "testssl.sh",
            _ => tool,
        };
        string[] path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(path.Any(directory => File.Exists(Path.Combine(directory, tool))), $"{tool} is not installed; .ci/run installs it with apt-get (package {package})");
    }
}
