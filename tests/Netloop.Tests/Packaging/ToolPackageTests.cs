using System.Diagnostics;
using System.IO.Compression;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Netloop.Bench;
using Xunit.Abstractions;

namespace Netloop.Tests.Packaging;

/// <summary>
/// The packages a user installs, built and installed for real: <c>dotnet pack</c> of the library and the tool into a
/// temp folder, their nuspecs (readme, licence, repository, no chart dependency in the library), the sizes the issue
/// allows, then <c>dotnet tool install</c> into a temp tool path and the installed <c>netloop</c> run: <c>--version</c>
/// and <c>serve --port 0</c> answering a request and stopping on SIGTERM. Builds go to a private artifacts folder and
/// the install to a private NuGet cache, so neither the clone's bin/obj nor the machine's cache is touched (a cached
/// Netloop.Cli 0.1.0 would otherwise shadow the package just built). Needs the NuGet registry only for what a restore
/// of the repository needs anyway.
/// </summary>
[Collection(nameof(PackagingTests))]
public sealed partial class ToolPackageTests(ITestOutputHelper output) : IDisposable
{
    // Generous: a pack builds four projects from scratch, on a machine other work shares.
    private static readonly TimeSpan s_packTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_runTimeout = TimeSpan.FromMinutes(1);

    private const long MaxPackedBytes = 20L * 1000 * 1000;
    private const long MaxInstalledBytes = 80L * 1000 * 1000;

    private readonly string _folder = Directory.CreateTempSubdirectory("netloop-package-test-").FullName;

    /// <summary>Deletes the temp folder (packages, artifacts, tool path, private NuGet cache).</summary>
    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Packages => Path.Combine(_folder, "packages");

    private string ToolPath => Path.Combine(_folder, "tool");

    [Fact]
    public async Task The_packed_tool_installs_within_the_size_limits_and_its_netloop_command_serves_and_stops_on_sigterm()
    {
        string root = RepositoryRoot.Find(AppContext.BaseDirectory) ?? throw new InvalidOperationException("no clone of the repository above the tests");
        string version = typeof(Netloop.Cli.NetloopCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        // This machine's RID only (of the tool's RIDs: a distribution's own RID such as ubuntu.24.04-x64 is not one):
        // the pointer package then names one RID package, and the pack builds once.
        string rid = RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        string artifacts = Path.Combine(_folder, "artifacts");

        await RunAsync(DotnetHost, s_packTimeout, null, "pack", Path.Combine(root, "src", "Netloop.Cli", "Netloop.Cli.csproj"), "-c", "Release",
            "-o", Packages, "--artifacts-path", artifacts, $"-p:RuntimeIdentifiers={rid}", "-nologo");
        await RunAsync(DotnetHost, s_packTimeout, null, "pack", Path.Combine(root, "src", "Netloop", "Netloop.csproj"), "-c", "Release",
            "-o", Packages, "--artifacts-path", artifacts, "-nologo");

        string pointer = Path.Combine(Packages, $"Netloop.Cli.{version}.nupkg");
        string ridPackage = Path.Combine(Packages, $"Netloop.Cli.{rid}.{version}.nupkg");
        string library = Path.Combine(Packages, $"Netloop.{version}.nupkg");
        foreach (string package in new[] { pointer, ridPackage, library })
        {
            Assert.True(File.Exists(package), $"{Path.GetFileName(package)} was not packed: {string.Join(", ", Directory.GetFiles(Packages).Select(Path.GetFileName))}");
            AssertDescribesItself(package);
        }
        Assert.True(File.Exists(Path.ChangeExtension(library, ".snupkg")), "the library has no symbols package");
        Assert.True(File.Exists(Path.ChangeExtension(ridPackage, ".snupkg")), "the tool has no symbols package");

        // The library pulls in nothing of the bench: no chart library, no native chart assets.
        var dependencies = Nuspec(library).Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!).ToList();
        Assert.DoesNotContain(dependencies, id => id.StartsWith("ScottPlot", StringComparison.OrdinalIgnoreCase) || id.Contains("Skia", StringComparison.OrdinalIgnoreCase) || id.Contains("HarfBuzz", StringComparison.OrdinalIgnoreCase));
        using (var zip = ZipFile.OpenRead(library))
        {
            Assert.DoesNotContain(zip.Entries, e => e.FullName.StartsWith("runtimes/", StringComparison.Ordinal));
        }

        long packed = new FileInfo(pointer).Length + new FileInfo(ridPackage).Length;
        output.WriteLine($"packed: {packed:N0} B (pointer {new FileInfo(pointer).Length:N0} B, {rid} {new FileInfo(ridPackage).Length:N0} B)");
        Assert.True(packed <= MaxPackedBytes, $"the tool packs to {packed:N0} B, over {MaxPackedBytes:N0}");

        // A private NuGet cache: the install must take the package just packed, not one cached by an earlier run.
        var installEnvironment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_folder, "nuget-cache") };
        await RunAsync(DotnetHost, s_installTimeout, installEnvironment, "tool", "install", "--tool-path", ToolPath, "--add-source", Packages, "Netloop.Cli", "--version", version);
        long installed = DirectoryBytes(ToolPath);
        output.WriteLine($"installed: {installed:N0} B in {ToolPath}");
        Assert.True(installed <= MaxInstalledBytes, $"the installed tool takes {installed:N0} B, over {MaxInstalledBytes:N0}");

        string netloop = Path.Combine(ToolPath, "netloop");
        string printed = await RunAsync(netloop, s_runTimeout, DotnetRoot, "--version");
        Assert.Equal(version, printed.Trim());

        await ServeOnceAsync(netloop);
    }

    // Starts the installed netloop on a free port, reads the port from its start-up line, gets one answer over HTTP,
    // and stops it with SIGTERM: a clean stop exits 0.
    private async Task ServeOnceAsync(string netloop)
    {
        using var process = Start(netloop, DotnetRoot, "serve", "--protocol", "http", "--port", "0");
        var stdout = new StringBuilder();
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The start-up line is a log line: looked for on both streams, wherever the logger writes.
        void OnLine(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (stdout) stdout.AppendLine(e.Data);
            var match = ListeningLine().Match(e.Data);
            if (match.Success) listening.TrySetResult(int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            int port = await listening.Task.WaitAsync(s_runTimeout);
            using (var client = new TcpClient())
            {
                await client.ConnectAsync("127.0.0.1", port);
                var stream = client.GetStream();
                await stream.WriteAsync("GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"u8.ToArray());
                using var reader = new StreamReader(stream, Encoding.ASCII);
                string? statusLine = await reader.ReadLineAsync().WaitAsync(s_runTimeout);
                Assert.StartsWith("HTTP/1.1 200", statusLine, StringComparison.Ordinal);
            }

            Assert.Equal(0, Kill(process.Id, SIGTERM));
            using var timeout = new CancellationTokenSource(s_runTimeout);
            await process.WaitForExitAsync(timeout.Token);
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"netloop serve exited {process.ExitCode} on SIGTERM:\n{stdout}");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            lock (stdout) output.WriteLine(stdout.ToString());
        }
    }

    // Each package names its readme, licence and repository (with the commit) and carries the readme it names.
    private static void AssertDescribesItself(string package)
    {
        var metadata = Nuspec(package).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Equal("expression", (string?)license.Attribute("type"));
        Assert.Equal("MIT", license.Value);
        Assert.Equal("README.md", Value("readme"));
        Assert.Equal("https://github.com/netloop/netloop", Value("projectUrl"));
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("https://github.com/netloop/netloop", (string?)repository.Attribute("url"));
        Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit") ?? "");
        using var zip = ZipFile.OpenRead(package);
        Assert.Contains(zip.Entries, e => e.FullName == "README.md");
    }

    private static XDocument Nuspec(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        using var stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal)).Open();
        return XDocument.Load(stream);
    }

    private static long DirectoryBytes(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    // The dotnet running the tests; the tool's apphost finds the runtime through DOTNET_ROOT beside it.
    private static string DotnetHost
    {
        get
        {
            string? current = Environment.ProcessPath;
            if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet") return current;
            string? sdkHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            return !string.IsNullOrEmpty(sdkHost) && File.Exists(sdkHost) ? sdkHost : "dotnet";
        }
    }

    private static Dictionary<string, string>? DotnetRoot =>
        Path.IsPathRooted(DotnetHost) ? new Dictionary<string, string> { ["DOTNET_ROOT"] = Path.GetDirectoryName(DotnetHost)! } : null;

    private static Process Start(string fileName, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in args) info.ArgumentList.Add(arg);
        // No build servers left behind by the packs, and no telemetry banner in the output.
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["UseSharedCompilation"] = "false";
        if (environment is not null) foreach (var (name, value) in environment) info.Environment[name] = value;
        var process = Process.Start(info)!;
        process.StandardInput.Close();
        return process;
    }

    // Runs a command to its end within the timeout; a failure or a timeout fails the test with its output.
    private async Task<string> RunAsync(string fileName, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        string line = $"{fileName} {string.Join(' ', args)}";
        output.WriteLine("$ " + line);
        using var process = Start(fileName, environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{line} did not finish within {timeout.TotalMinutes:0} min");
        }
        string text = await stdout + await stderr;
        output.WriteLine(text);
        Assert.True(process.ExitCode == 0, $"{line} exited {process.ExitCode}:\n{text}");
        return await stdout;
    }

    private const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    // "netloop 0.1.0 listening on 127.0.0.1:PORT (...)" or "listening on http://127.0.0.1:PORT".
    [GeneratedRegex(@"listening on (?:[a-z]+://)?(?:\[[^\]]+\]|[^\s:\[]+):(?<port>\d+)")]
    private static partial Regex ListeningLine();
}

/// <summary>
/// Packing takes both cores for a minute or more: run alone, after the parallel collections, so the timer and idle-timeout
/// tests of the transport do not share the machine with it (two of them missed their 300 ms windows in a CI rehearsal).
/// </summary>
[CollectionDefinition(nameof(PackagingTests), DisableParallelization = true)]
public sealed class PackagingTests
{
}
