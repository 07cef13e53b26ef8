using System.Globalization;
using Netloop.Bench.Cases;
using Netloop.Bench.Running;

namespace Netloop.Bench.Servers;

/// <summary>
/// Knows how to start each server of the catalog: <c>netloop serve</c> in a mode, the Kestrel peer (built first when
/// its dll is missing or older than its source), nginx with a generated configuration, the C reference servers
/// (compiled with gcc into the scratch folder for each run).
/// </summary>
internal sealed class ServerLauncher
{
    private static readonly TimeSpan s_buildTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_compileTimeout = TimeSpan.FromMinutes(1);
    private static readonly string[] s_reusePort = ["--reuse-port"];
    private static readonly string[] s_kestrelHttp2Only = ["--Kestrel:EndpointDefaults:Protocols=Http2"];

    private readonly NetloopExecutable _netloop;
    private readonly string? _repositoryRoot;
    private readonly string _scratch;
    private readonly string _logs;
    private int _instances;

    /// <param name="netloop">How to run <c>netloop</c> again.</param>
    /// <param name="repositoryRoot">The clone holding <c>bench/peers/kestrel</c> and <see cref="ReferenceServers.DefaultFolder"/>, or null when the bench runs outside one.</param>
    /// <param name="scratchDirectory">A private temp folder for nginx prefixes and the C reference binaries (deleted by the caller).</param>
    /// <param name="logDirectory">Where build logs go.</param>
    public ServerLauncher(NetloopExecutable netloop, string? repositoryRoot, string scratchDirectory, string logDirectory)
    {
        _netloop = netloop;
        _repositoryRoot = repositoryRoot;
        _scratch = scratchDirectory;
        _logs = logDirectory;
        ReferenceFolder = ReferenceServers.FolderFor(repositoryRoot, Environment.GetEnvironmentVariable(ReferenceServers.FolderVariable));
        Certificates = new BenchCertificates(scratchDirectory, logDirectory);
    }

    /// <summary>The run's TLS certificates, the same files for every server.</summary>
    public BenchCertificates Certificates { get; }

    /// <summary>How <c>netloop</c> is run again (this process's own build).</summary>
    public NetloopExecutable Netloop => _netloop;

    /// <summary>The clone the bench runs in, or null.</summary>
    public string? RepositoryRoot => _repositoryRoot;

    /// <summary>The nginx executable, or null when nginx is not installed.</summary>
    public string? NginxPath { get; } = CpuPinning.FindOnPath("nginx");

    /// <summary>The C compiler the reference servers are built with, or null when gcc is not installed.</summary>
    public string? GccPath { get; init; } = CpuPinning.FindOnPath("gcc");

    /// <summary>
    /// The folder of <c>limit-http.c</c> and <c>limit-echo.c</c>: <see cref="ReferenceServers.FolderVariable"/> when
    /// set, else <see cref="ReferenceServers.DefaultFolder"/> in the clone; null outside a clone without the variable.
    /// </summary>
    public string? ReferenceFolder { get; init; }

    /// <summary>The Kestrel peer's dll (it may not be built yet), or null outside a clone.</summary>
    public string? KestrelDll => _repositoryRoot is null ? null : Path.Combine(KestrelProjectFolder!, "bin", "Release", "net10.0", "KestrelPeer.dll");

    private string? KestrelProjectFolder => _repositoryRoot is null ? null : Path.Combine(_repositoryRoot, "bench", "peers", "kestrel");

    /// <summary>Checks that <paramref name="spec"/> can run here, building the Kestrel peer when needed and the C reference always.</summary>
    public async Task<ServerAvailability> PrepareAsync(ServerSpec spec, CancellationToken cancellationToken)
    {
        switch (spec.Family)
        {
            case ServerFamily.Netloop:
                return spec.NetloopPath is null ? ServerAvailability.Ready() : await PrepareOtherBuildAsync(spec.NetloopPath, cancellationToken).ConfigureAwait(false);
            case ServerFamily.Nginx:
                if (NginxPath is null) return ServerAvailability.Missing("not installed");
                return ServerAvailability.Ready(await NginxVersionAsync(NginxPath, cancellationToken).ConfigureAwait(false));
            case ServerFamily.Kestrel:
                return await PrepareKestrelAsync(cancellationToken).ConfigureAwait(false);
            case ServerFamily.Reference:
                return await PrepareReferenceAsync(cancellationToken).ConfigureAwait(false);
            default:
                return ServerAvailability.Missing("unknown server");
        }
    }

    /// <summary>The command that starts <paramref name="spec"/> on 127.0.0.1:<paramref name="port"/> (not yet pinned to a core).</summary>
    /// <param name="spec">Which server.</param>
    /// <param name="protocol">
    /// Echo, HTTP or HTTP/2 (Kestrel and nginx: HTTP/1.1, or HTTP/2 on an HTTP/2-only cleartext endpoint, which prior
    /// knowledge needs from both; netloop serves both on one port either way; the C limit: limit-echo or limit-http).
    /// </param>
    /// <param name="port">Port to listen on.</param>
    /// <param name="maxConnections">Connections the run may hold at once.</param>
    /// <param name="idleTimeout">How long an idle connection may stay open: beyond any case's hold.</param>
    /// <param name="netloop">Another build of <c>netloop</c> to run (the start-up case's NativeAOT binary); null for <see cref="Netloop"/>.</param>
    /// <param name="sharePort">Whether several processes of this server will listen on <paramref name="port"/> (netloop only, see <see cref="ServerSpec.CanShareAPort"/>): <c>--reuse-port</c>.</param>
    /// <param name="tls">
    /// TLS on the port with the run's certificate of that key (<see cref="Certificates"/>), HTTP/1.1 and h2 chosen by ALPN
    /// whatever <paramref name="protocol"/> says: netloop <c>--tls-cert</c> (TLS only), Kestrel an https endpoint, nginx
    /// <c>listen … ssl http2</c> with a shared session cache and tickets.
    /// </param>
    public ProcessCommand Command(
        ServerSpec spec, LoadProtocol protocol, int port, int maxConnections, TimeSpan idleTimeout, NetloopExecutable? netloop = null, bool sharePort = false,
        TlsKey tls = TlsKey.None)
    {
        string portText = port.ToString(CultureInfo.InvariantCulture);
        (string Certificate, string Key)? pem = tls == TlsKey.None ? null : Certificates.For(tls);
        string[] netloopTls = pem is { } n ? ["--tls-cert", n.Certificate, "--tls-key", n.Key] : [];
        string[] kestrelTls = pem is { } k ? ["--Kestrel:Certificates:Default:Path=" + k.Certificate, "--Kestrel:Certificates:Default:KeyPath=" + k.Key] : [];
        if (sharePort && !spec.CanShareAPort) throw new ArgumentException($"{spec.Name} cannot share a port between processes", nameof(sharePort));
        switch (spec.Family)
        {
            case ServerFamily.Netloop:
                return (netloop ?? (spec.NetloopPath is { } path ? ExtraServers.Executable(path) : _netloop)).Run(
                [
                    "serve", "--mode", spec.ModeName, "--protocol", protocol == LoadProtocol.Echo ? "echo" : "http",
                    "--loops", "1", "--port", portText,
                    "--max-connections", maxConnections.ToString(CultureInfo.InvariantCulture),
                    "--idle-timeout", Seconds(idleTimeout),
                    "--shutdown-timeout", "2s",
                    // A port is a netloop server's alone unless every process on it asks to share it.
                    .. (sharePort ? s_reusePort : []),
                    .. netloopTls,
                    .. spec.ServeArguments,
                ]);
            case ServerFamily.Kestrel:
                return new ProcessCommand(DotnetHost.Path,
                [
                    KestrelDll ?? throw new InvalidOperationException("the Kestrel peer needs a clone of the repository"),
                    "--urls", $"{(pem is null ? "http" : "https")}://127.0.0.1:{portText}",
                    "--Kestrel:Limits:KeepAliveTimeout=" + idleTimeout.ToString("c", CultureInfo.InvariantCulture),
                    // Kestrel answers the HTTP/2 preface on a cleartext endpoint only when it is HTTP/2 alone (no ALPN to choose by).
                    .. (protocol == LoadProtocol.Http2 && pem is null ? s_kestrelHttp2Only : []),
                    .. kestrelTls,
                ]);
            case ServerFamily.Nginx:
                string prefix = Path.Combine(_scratch, $"nginx-{Interlocked.Increment(ref _instances).ToString(CultureInfo.InvariantCulture)}");
                Directory.CreateDirectory(prefix);
                string config = Path.Combine(prefix, "nginx.conf");
                File.WriteAllText(config, NginxConfig.Generate(prefix, port, NginxConfig.WorkerConnectionsFor(maxConnections), idleTimeout, Posix.IsRoot,
                    http2: protocol == LoadProtocol.Http2 || pem is not null, tls: pem));
                // -e: the error log before the configuration is read, which would otherwise be /var/log/nginx/error.log.
                return new ProcessCommand(NginxPath ?? "nginx", ["-p", prefix + "/", "-c", config, "-e", Path.Combine(prefix, "error.log")]);
            case ServerFamily.Reference when protocol == LoadProtocol.Http2:
                throw new ArgumentException("the C limit servers do not speak HTTP/2", nameof(protocol));
            case ServerFamily.Reference:
                // Built by PrepareAsync into the scratch folder; no connection cap to pass (see ReferenceServers.Start).
                return ReferenceServers.Start(_scratch, protocol, port);
            default:
                throw new ArgumentOutOfRangeException(nameof(spec), spec.Name, "unknown server family");
        }
    }

    // Another build must exist and answer --version (which the report shows, so "before" and "after" are told apart).
    private async Task<ServerAvailability> PrepareOtherBuildAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) return ServerAvailability.Missing($"not available: {path} not found");
        string log = Path.Combine(_logs, $"netloop-version-{Interlocked.Increment(ref _instances).ToString(CultureInfo.InvariantCulture)}.log");
        await using var process = ChildProcess.Start(ExtraServers.Executable(path).Run(["--version"]), log);
        if (!await process.WaitForExitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false))
        {
            await process.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            return ServerAvailability.Missing($"not available: {path} --version did not answer within 30 s");
        }
        if (process.ExitCode != 0) return ServerAvailability.Missing($"not available: {path} --version exited with {process.ExitCode}: {process.LastLine}");
        return ServerAvailability.Ready($"{process.LastLine} ({path})");
    }

    private async Task<ServerAvailability> PrepareKestrelAsync(CancellationToken cancellationToken)
    {
        if (KestrelProjectFolder is null || !File.Exists(Path.Combine(KestrelProjectFolder, "KestrelPeer.csproj")))
        {
            return ServerAvailability.Missing("not available: bench/peers/kestrel not found (run netloop bench inside a clone of the repository)");
        }
        string dll = KestrelDll!;
        if (File.Exists(dll) && !SourceIsNewer(KestrelProjectFolder, dll)) return ServerAvailability.Ready($".NET {Environment.Version}");

        // No build servers: a compiler or MSBuild node left running would be a process the bench started and did not
        // end, and it would hold this build's output pipe open.
        var build = new ProcessCommand(DotnetHost.Path,
            ["build", "-c", "Release", Path.Combine(KestrelProjectFolder, "KestrelPeer.csproj"), "-nologo", "-v", "q", "--disable-build-servers"]);
        await using var process = ChildProcess.Start(build, Path.Combine(_logs, "kestrel-build.log"));
        if (!await process.WaitForExitAsync(s_buildTimeout, cancellationToken).ConfigureAwait(false))
        {
            await process.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            return ServerAvailability.Missing($"did not build within {s_buildTimeout.TotalMinutes:0} min (see logs/kestrel-build.log)");
        }
        if (process.ExitCode != 0 || !File.Exists(dll))
        {
            return ServerAvailability.Missing($"did not build (exit code {process.ExitCode}): {process.LastLine}");
        }
        return ServerAvailability.Ready($".NET {Environment.Version}");
    }

    // Compiled for every run rather than cached: the sources may change between runs (or come from the variable's
    // folder), and two gcc runs take well under a second.
    private async Task<ServerAvailability> PrepareReferenceAsync(CancellationToken cancellationToken)
    {
        string? folder = ReferenceFolder;
        if (folder is null)
        {
            return ServerAvailability.Missing(
                $"not available: no clone of the repository to find {ReferenceServers.DefaultFolder} in (set {ReferenceServers.FolderVariable} to the folder of {ReferenceServers.SourceNames})");
        }
        foreach (string program in ReferenceServers.Programs)
        {
            string source = Path.Combine(folder, program + ".c");
            if (!File.Exists(source))
            {
                return ServerAvailability.Missing($"not available: {source} not found (set {ReferenceServers.FolderVariable} to the folder of {ReferenceServers.SourceNames})");
            }
        }
        if (GccPath is null) return ServerAvailability.Missing($"not available: gcc not installed (needed to build {ReferenceServers.SourceNames})");

        string log = Path.Combine(_logs, "reference-build.log");
        foreach (string program in ReferenceServers.Programs)
        {
            await using var process = ChildProcess.Start(ReferenceServers.Build(GccPath, folder, program, _scratch), log);
            if (!await process.WaitForExitAsync(s_compileTimeout, cancellationToken).ConfigureAwait(false))
            {
                await process.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                return ServerAvailability.Missing($"{program}.c did not build within {s_compileTimeout.TotalMinutes:0} min (see logs/reference-build.log)");
            }
            if (process.ExitCode != 0 || !File.Exists(Path.Combine(_scratch, program)))
            {
                string reason = FirstCompilerError(log) ?? process.LastLine;
                return ServerAvailability.Missing($"{program}.c did not build (exit code {process.ExitCode}): {reason} (see logs/reference-build.log)");
            }
        }
        string? version = await GccVersionAsync(GccPath, log, cancellationToken).ConfigureAwait(false);
        return ServerAvailability.Ready(version is null ? "gcc -O2" : $"gcc {version} -O2");
    }

    // gcc's last line is a caret under the source, which says nothing alone: the first "error:" of the latest build
    // (the log holds every build of the run, each after its "$ command" line) is the reason worth reporting.
    private static string? FirstCompilerError(string log)
    {
        using var reader = new StreamReader(new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        string? first = null;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (line.StartsWith("$ ", StringComparison.Ordinal)) first = null;
            else if (first is null && line.Contains("error:", StringComparison.Ordinal)) first = line.Trim();
        }
        return first;
    }

    private static async Task<string?> GccVersionAsync(string gcc, string log, CancellationToken cancellationToken)
    {
        await using var process = ChildProcess.Start(new ProcessCommand(gcc, ["-dumpfullversion"]), log);
        if (!await process.WaitForExitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false) || process.ExitCode != 0) return null;
        return process.LastLine.Length > 0 ? process.LastLine : null;
    }

    private static bool SourceIsNewer(string projectFolder, string dll)
    {
        DateTime built = File.GetLastWriteTimeUtc(dll);
        return Directory.EnumerateFiles(projectFolder, "*.cs*", SearchOption.TopDirectoryOnly).Any(f => File.GetLastWriteTimeUtc(f) > built);
    }

    private async Task<string?> NginxVersionAsync(string nginx, CancellationToken cancellationToken)
    {
        await using var process = ChildProcess.Start(new ProcessCommand(nginx, ["-v"]), Path.Combine(_logs, "nginx-version.log"));
        if (!await process.WaitForExitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false)) return null;
        string line = process.LastLine; // "nginx version: nginx/1.22.1"
        int slash = line.IndexOf("nginx/", StringComparison.Ordinal);
        return slash < 0 ? null : line[slash..];
    }

    private static string Seconds(TimeSpan duration) => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, (long)Math.Ceiling(duration.TotalSeconds))}s");
}
