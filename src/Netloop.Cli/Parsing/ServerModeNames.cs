using System.CommandLine.Parsing;
using Netloop.Server;

namespace Netloop.Cli.Parsing;

/// <summary>The command-line names of the <see cref="ServerMode"/> values, spelled out so trimming and renames cannot change them.</summary>
internal static class ServerModeNames
{
    /// <summary>Every mode, in the order help lists them.</summary>
    public static IReadOnlyList<(string Name, ServerMode Mode)> All { get; } =
    [
        ("epoll", ServerMode.Epoll),
        ("poll", ServerMode.Poll),
        ("serial", ServerMode.Serial),
        ("threads", ServerMode.Threads),
        ("sockets", ServerMode.Sockets),
        ("async-serial", ServerMode.AsyncSerial),
        ("async-forget", ServerMode.AsyncForget),
        ("async-group", ServerMode.AsyncGroup),
        ("async-waiter", ServerMode.AsyncWaiter),
        ("async-waiter2", ServerMode.AsyncWaiter2),
        ("async-workers", ServerMode.AsyncWorkers),
        ("async-select", ServerMode.AsyncSelect),
    ];

    /// <summary>The names, comma-separated, for help and error messages.</summary>
    public static string List { get; } = string.Join(", ", All.Select(m => m.Name));

    /// <summary>The name of <paramref name="mode"/> as typed on the command line.</summary>
    public static string NameOf(ServerMode mode)
    {
        foreach (var (name, value) in All)
        {
            if (value == mode) return name;
        }
        return mode.ToString().ToLowerInvariant();
    }

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
