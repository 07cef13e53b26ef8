using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Netloop.Load.Targets;

/// <summary>
/// The local addresses connections are made from (<c>--source-addresses</c>), handed out round-robin. Linux gives each
/// (source address, destination) pair its own ~28k ephemeral ports, so 16 loopback sources reach ~450k connections
/// to one server port.
/// </summary>
public static class SourceAddresses
{
    /// <summary>The most addresses a list may expand to: more than any run needs, few enough that a typo cannot eat memory.</summary>
    public const int MaxCount = 65_536;

    /// <summary>
    /// Parses a comma list of addresses and inclusive ranges: <c>127.0.0.1-127.0.0.16</c>, <c>10.0.0.1,10.0.0.2</c>,
    /// <c>::1</c>, <c>127.0.0.1-127.0.0.4,127.0.1.1</c>. Every address must share one family. False with a one-line
    /// <paramref name="error"/> otherwise.
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out IReadOnlyList<IPAddress>? addresses, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        addresses = null;
        var list = new List<IPAddress>();
        foreach (string rawPart in text.Split(','))
        {
            string part = rawPart.Trim();
            if (part.Length == 0)
            {
                error = $"'{text}' has an empty entry (expected addresses or ranges separated by commas)";
                return false;
            }
            // An IPv6 address is full of ':' but never has '-', so the dash always separates a range.
            int dash = part.IndexOf('-', StringComparison.Ordinal);
            string firstText = dash < 0 ? part : part[..dash].Trim();
            string lastText = dash < 0 ? part : part[(dash + 1)..].Trim();
            if (!LoadTarget.TryParseLiteral(firstText, out var first) || !LoadTarget.TryParseLiteral(lastText, out var last))
            {
                error = $"'{part}' is not an IP address or a range such as 127.0.0.1-127.0.0.16";
                return false;
            }
            if (first.AddressFamily != last.AddressFamily)
            {
                error = $"'{part}' mixes IPv4 and IPv6";
                return false;
            }
            var from = ToInteger(first);
            var to = ToInteger(last);
            if (to < from)
            {
                error = $"'{part}' runs backwards (the first address must not be above the last)";
                return false;
            }
            if (to - from + list.Count >= MaxCount)
            {
                error = $"'{text}' expands to more than {MaxCount} addresses";
                return false;
            }
            for (var value = from; value <= to; value++) list.Add(FromInteger(value, first.AddressFamily));
        }
        var family = list[0].AddressFamily;
        if (list.Exists(a => a.AddressFamily != family))
        {
            error = $"'{text}' mixes IPv4 and IPv6 addresses";
            return false;
        }
        addresses = list;
        error = null;
        return true;
    }

    private static BigInteger ToInteger(IPAddress address) => new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    private static IPAddress FromInteger(BigInteger value, AddressFamily family)
    {
        int size = family == AddressFamily.InterNetworkV6 ? 16 : 4;
        var bytes = new byte[size];
        value.TryWriteBytes(bytes.AsSpan(size - value.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return new IPAddress(bytes);
    }
}
