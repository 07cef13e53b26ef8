using System.CommandLine.Parsing;
using Netloop.Protocols;
using Netloop.Protocols.Echo;

namespace Netloop.Cli;

/// <summary>The protocols <c>netloop serve --protocol</c> can serve, by name. A new protocol is one more entry here.</summary>
internal static class ProtocolCatalog
{
    /// <summary>Every protocol, in the order help lists them; the first is the default.</summary>
    public static IReadOnlyList<IConnectionProtocolFactory> All { get; } =
    [
        EchoProtocol.Instance,
    ];

    /// <summary>The protocol served when <c>--protocol</c> is not given.</summary>
    public static IConnectionProtocolFactory Default => All[0];

    /// <summary>The names, comma-separated, for help and error messages.</summary>
    public static string List { get; } = string.Join(", ", All.Select(p => p.Name));

    /// <summary>A custom parser for <c>--protocol</c>; an unknown name becomes a one-line parse error listing the valid ones.</summary>
    public static IConnectionProtocolFactory? Parse(ArgumentResult result)
    {
        string? token = Parsing.InvalidValue.Token(result);
        if (token is null) return null;
        foreach (var protocol in All)
        {
            if (string.Equals(protocol.Name, token, StringComparison.OrdinalIgnoreCase)) return protocol;
        }
        result.AddError($"unknown protocol '{token}' (expected {List})");
        return null;
    }
}
