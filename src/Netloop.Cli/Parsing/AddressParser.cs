using System.CommandLine.Parsing;
using System.Net;

namespace Netloop.Cli.Parsing;

/// <summary>The <c>--address</c> value: a literal IPv4 or IPv6 address (no name lookup, so start-up never waits on DNS).</summary>
internal static class AddressParser
{
    /// <summary>A custom parser for an IP address such as <c>127.0.0.1</c>, <c>0.0.0.0</c> or <c>::1</c>.</summary>
    public static IPAddress? Parse(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        // IPAddress.TryParse also accepts forms like "1" (0.0.0.1); only dotted quads or IPv6 are meant.
        if (IPAddress.TryParse(token, out var address) && (token.Contains(':', StringComparison.Ordinal) || token.Count(c => c == '.') == 3))
        {
            return address;
        }
        return InvalidValue.Report<IPAddress>(result, "an IPv4 or IPv6 address such as 127.0.0.1 or ::1");
    }
}
