using System.CommandLine.Parsing;
using Netloop.Server;

namespace Netloop.Cli.Parsing;

/// <summary>Parsing and listing of the <see cref="ServerMode"/> values by their command-line names (<see cref="ServerModes.Name"/>).</summary>
internal static class ServerModeNames
{
    /// <summary>Every mode, in the order help lists them (the order of <see cref="ServerMode"/>; names from <see cref="ServerModes.Name"/>).</summary>
    public static IReadOnlyList<(string Name, ServerMode Mode)> All { get; } =
        Enum.GetValues<ServerMode>().Select(mode => (mode.Name(), mode)).ToArray();

    /// <summary>The names, comma-separated, for help and error messages.</summary>
    public static string List { get; } = string.Join(", ", All.Select(m => m.Name));

    /// <summary>A custom parser for <c>--mode</c>; an unknown name becomes a one-line parse error listing the valid ones.</summary>
    public static ServerMode? Parse(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        foreach (var (name, mode) in All)
        {
            if (string.Equals(name, token, StringComparison.OrdinalIgnoreCase)) return mode;
        }
        result.AddError($"unknown mode '{token}' (expected {List})");
        return null;
    }
}
