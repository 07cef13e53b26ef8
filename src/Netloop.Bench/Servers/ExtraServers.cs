using System.Text.RegularExpressions;
using Netloop.Bench.Running;

namespace Netloop.Bench.Servers;

/// <summary>
/// Servers a run adds to the catalog's: another build of <c>netloop</c> (<c>--extra-netloop before=PATH</c>, e.g. the
/// previous commit's, so "before" and "after" are measured in one run, interleaved like any two servers) and this
/// build's epoll mode behind one pass-through middleware (<c>--passthrough-middleware</c>).
/// </summary>
internal static partial class ExtraServers
{
    /// <summary>The name of this build's epoll mode with one pass-through middleware.</summary>
    public const string PassthroughName = "epoll-mw";

    /// <summary>The <c>netloop serve</c> option the pass-through variant is started with.</summary>
    public static IReadOnlyList<string> PassthroughArguments { get; } = ["--middleware", "passthrough"];

    /// <summary>This build's epoll mode, started with <see cref="PassthroughArguments"/>.</summary>
    public static ServerSpec Passthrough { get; } = new(PassthroughName, ServerFamily.Netloop,
        "netloop serve --mode epoll --middleware passthrough: this build with one pass-through middleware in front of every handler")
    {
        Mode = "epoll",
        ServeArguments = PassthroughArguments,
    };

    /// <summary>
    /// Reads one <c>--extra-netloop</c> value, <c>NAME=PATH</c>: NAME (lower-case letters, digits, '-', up to 24) is what
    /// the report calls it and must not be a catalog server's or an earlier extra's; PATH is that build's apphost or
    /// <c>Netloop.Cli.dll</c>, which must exist. The server runs <c>serve --mode epoll</c>.
    /// </summary>
    public static bool TryParse(string value, IEnumerable<string> takenNames, out ServerSpec? spec, out string? error)
    {
        spec = null;
        int equals = value.IndexOf('=', StringComparison.Ordinal);
        string name = equals < 0 ? "" : value[..equals].Trim();
        string path = equals < 0 ? "" : value[(equals + 1)..].Trim();
        if (equals < 0 || name.Length == 0 || path.Length == 0)
        {
            error = $"--extra-netloop '{value}': expected NAME=PATH, e.g. before=../old-clone/src/Netloop.Cli/bin/Release/net10.0/Netloop.Cli";
            return false;
        }
        if (!NamePattern().IsMatch(name))
        {
            error = $"--extra-netloop '{value}': the name must be 1 to 24 lower-case letters, digits or '-'";
            return false;
        }
        if (takenNames.Contains(name, StringComparer.Ordinal))
        {
            error = $"--extra-netloop '{value}': '{name}' already names a server of this run";
            return false;
        }
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            error = $"--extra-netloop '{value}': {full} not found";
            return false;
        }
        spec = new ServerSpec(name, ServerFamily.Netloop, $"another netloop build: {full} serve --mode epoll") { Mode = "epoll", NetloopPath = full };
        error = null;
        return true;
    }

    /// <summary>
    /// <paramref name="servers"/> with <paramref name="extras"/> placed after the last netloop server (so each round
    /// visits every netloop build back to back, then the peers), or at the start when there is none.
    /// </summary>
    public static IReadOnlyList<ServerSpec> Insert(IReadOnlyList<ServerSpec> servers, IReadOnlyList<ServerSpec> extras)
    {
        int at = servers.Select((s, i) => (s, i)).LastOrDefault(p => p.s.Family == ServerFamily.Netloop, (null!, -1)).Item2 + 1;
        return [.. servers.Take(at), .. extras, .. servers.Skip(at)];
    }

    /// <summary>How to run the build at <paramref name="path"/>: a dll under the dotnet host, anything else as itself.</summary>
    public static NetloopExecutable Executable(string path) =>
        path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new NetloopExecutable(new ProcessCommand(DotnetHost.Path, [path]))
            : new NetloopExecutable(new ProcessCommand(path, []));

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,23}$")]
    private static partial Regex NamePattern();
}
