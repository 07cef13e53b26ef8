using System.CommandLine.Parsing;
using Netloop.Cli.Parsing;
using Netloop.Protocols;
using Netloop.Transport;

namespace Netloop.Cli.Faults;

/// <summary>
/// A deliberate defect <c>netloop serve --fault</c> plants in the server, for tests only: each one lets a test prove that
/// <c>netloop load</c> notices that kind of defect. The option is hidden from help; never use it to serve anything real.
/// </summary>
/// <param name="Name">The option value.</param>
/// <param name="Description">What it breaks, for logs.</param>
/// <param name="Apply">Wraps or replaces the protocol served; throws <see cref="ArgumentException"/> for a protocol the fault does not fit.</param>
internal sealed record ServerFault(string Name, string Description, Func<IConnectionProtocolFactory, IConnectionProtocolFactory> Apply)
{
    /// <summary>Every fault, in the order error messages list them.</summary>
    public static IReadOnlyList<ServerFault> All { get; } =
    [
        new("corrupt-echo", $"the echo protocol flips one byte, at offset {CorruptEchoProtocol.CorruptedOffset} of all bytes echoed by the process", CorruptEchoProtocol.Replace),
        new("leak", $"every request handled retains {MemoryLeak.BytesPerRequest} bytes, never freed", MemoryLeak.Wrap),
        new("loop-crash", $"a request for {LoopCrash.Path} makes its event loop's thread fail (http only)", LoopCrash.Wrap),
    ];

    /// <summary>The names, comma-separated, for error messages.</summary>
    public static string List { get; } = string.Join(", ", All.Select(f => f.Name));

    /// <summary>A custom parser for <c>--fault</c>; an unknown name becomes a one-line parse error listing the valid ones.</summary>
    public static ServerFault? Parse(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        foreach (var fault in All)
        {
            if (string.Equals(fault.Name, token, StringComparison.OrdinalIgnoreCase)) return fault;
        }
        result.AddError($"unknown fault '{token}' (expected {List})");
        return null;
    }
}
