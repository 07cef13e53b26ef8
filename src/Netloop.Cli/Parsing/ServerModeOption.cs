using System.CommandLine.Parsing;
using Netloop.Baselines;

namespace Netloop.Cli.Parsing;

/// <summary><c>--mode</c> for System.CommandLine, on the one mode-name parser (<see cref="ServerModes.TryParse"/>).</summary>
internal static class ServerModeOption
{
    /// <summary>A custom parser for <c>--mode</c>; an unknown name becomes a one-line parse error listing the valid ones.</summary>
    public static ServerMode? Parse(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        if (ServerModes.TryParse(token, out var mode)) return mode;
        result.AddError($"unknown mode '{token}' (expected {ServerModes.List})");
        return null;
    }
}
