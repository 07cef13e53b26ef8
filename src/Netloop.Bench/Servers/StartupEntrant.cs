using Netloop.Bench.Cases;
using Netloop.Bench.Running;

namespace Netloop.Bench.Servers;

/// <summary>
/// One build of one server in the start-up cases: netloop <c>epoll</c> twice, as the JIT build and as the NativeAOT
/// binary, then Kestrel (JIT) and nginx (C) as references. A build that cannot run here carries the reason, which
/// the report lists as a failure.
/// </summary>
/// <param name="Name">What the results call it: the catalog name, with <see cref="StartupEntrant.AotSuffix"/> for the AOT binary.</param>
/// <param name="Spec">The catalog server it is a build of.</param>
/// <param name="Build"><c>JIT</c>, <c>AOT</c> or <c>native</c>.</param>
/// <param name="Netloop">For netloop, the executable of this build; null for the peers, and when <paramref name="Missing"/> says why.</param>
/// <param name="Missing">Why this build cannot run here, or null.</param>
internal sealed record StartupEntrant(string Name, ServerSpec Spec, string Build, NetloopExecutable? Netloop, string? Missing)
{
    /// <summary>The JIT build (the framework-dependent CLI, and Kestrel).</summary>
    public const string Jit = "JIT";

    /// <summary>The NativeAOT build of the CLI.</summary>
    public const string Aot = "AOT";

    /// <summary>nginx: compiled C.</summary>
    public const string Native = "native";

    /// <summary>Appended to the server name for the NativeAOT build's results: <c>epoll (AOT)</c>.</summary>
    public const string AotSuffix = " (AOT)";

    /// <summary>Where the NativeAOT binary is looked for, relative to the clone.</summary>
    public const string AotBinary = "artifacts/aot/Netloop.Cli";

    /// <summary>The command that publishes it, run from the clone's root.</summary>
    public const string PublishCommand = "dotnet publish src/Netloop.Cli -c Release -p:PublishAot=true -o artifacts/aot";

    /// <summary>The JIT build a NativeAOT bench falls back to, relative to the clone.</summary>
    public const string JitAssembly = "src/Netloop.Cli/bin/Release/net10.0/Netloop.Cli.dll";

    /// <summary>
    /// Whether the start-up cases measure <paramref name="spec"/>: of Netloop's modes only epoll (they share one binary),
    /// and every peer that runs start-up cases (not the C reference, see <see cref="ServerSpec.RunsCasesOf"/>).
    /// </summary>
    public static bool Measures(ServerSpec spec) =>
        spec.RunsCasesOf(CaseCatalog.Startup) && (spec.Family != ServerFamily.Netloop || spec.Name == "epoll");

    /// <summary>The builds of <paramref name="spec"/> to measure (none when <see cref="Measures"/> is false).</summary>
    /// <param name="spec">The server.</param>
    /// <param name="current">How this process runs netloop again.</param>
    /// <param name="repositoryRoot">The clone, where <see cref="AotBinary"/> and <see cref="JitAssembly"/> are looked for; null outside one.</param>
    /// <param name="currentIsNative">True when this process is itself the NativeAOT binary.</param>
    /// <param name="dotnetHost">The dotnet host, to run <see cref="JitAssembly"/> from a NativeAOT bench.</param>
    public static IReadOnlyList<StartupEntrant> For(ServerSpec spec, NetloopExecutable current, string? repositoryRoot, bool currentIsNative, string dotnetHost)
    {
        if (!Measures(spec)) return [];
        switch (spec.Family)
        {
            case ServerFamily.Kestrel: return [new(spec.Name, spec, Jit, null, null)];
            case ServerFamily.Nginx: return [new(spec.Name, spec, Native, null, null)];
        }

        StartupEntrant jit, aot;
        if (currentIsNative)
        {
            aot = new(spec.Name + AotSuffix, spec, Aot, current, null);
            string? dll = repositoryRoot is null ? null : Path.Combine(repositoryRoot, JitAssembly);
            jit = dll is not null && File.Exists(dll)
                ? new(spec.Name, spec, Jit, new NetloopExecutable(new ProcessCommand(dotnetHost, [dll])), null)
                : new(spec.Name, spec, Jit, null, $"JIT build not found ({JitAssembly}): run `dotnet build -c Release` in the clone");
        }
        else
        {
            jit = new(spec.Name, spec, Jit, current, null);
            string? binary = repositoryRoot is null ? null : Path.Combine(repositoryRoot, AotBinary);
            aot = binary is not null && File.Exists(binary)
                ? new(spec.Name + AotSuffix, spec, Aot, new NetloopExecutable(new ProcessCommand(binary, [])), null)
                : new(spec.Name + AotSuffix, spec, Aot, null, repositoryRoot is null
                    ? $"not published (no clone of the repository found) — run `{PublishCommand}` in a clone"
                    : $"not published — run `{PublishCommand}`");
        }
        return [jit, aot];
    }

    /// <summary>The build of a start-up result from its server name, for rows that hold no measurement.</summary>
    public static string BuildOf(string resultServer, string? family) =>
        resultServer.EndsWith(AotSuffix, StringComparison.Ordinal) ? Aot
        : family == nameof(ServerFamily.Nginx) ? Native
        : Jit;

    /// <summary>The catalog server of a start-up result: <c>epoll (AOT)</c> → <c>epoll</c>.</summary>
    public static string ServerOf(string resultServer) =>
        resultServer.EndsWith(AotSuffix, StringComparison.Ordinal) ? resultServer[..^AotSuffix.Length] : resultServer;
}
