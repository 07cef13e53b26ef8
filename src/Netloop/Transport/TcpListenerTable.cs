using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Netloop.Transport;

/// <summary>One listening TCP socket of this network namespace, as <c>/proc/net/tcp</c> or <c>tcp6</c> lists it.</summary>
/// <param name="Address">The address it is bound to (IPv4, or IPv6 for <c>tcp6</c>; <c>0.0.0.0</c> / <c>::</c> for a wildcard).</param>
/// <param name="Port">Its port.</param>
/// <param name="Inode">Its socket inode, the number a process's <c>/proc/PID/fd/N</c> link shows as <c>socket:[inode]</c>.</param>
internal readonly record struct TcpListenerEntry(IPAddress Address, int Port, long Inode);

/// <summary>
/// Reads the kernel's tables of TCP sockets (<c>/proc/net/tcp</c>, <c>/proc/net/tcp6</c>) for the sockets listening on
/// a port, so a server can tell whether someone else already serves an address before it joins an SO_REUSEPORT group
/// (which the kernel lets any socket of the same user do, silently).
/// </summary>
internal static class TcpListenerTable
{
    private const string ListenState = "0A"; // TCP_LISTEN in include/net/tcp_states.h, printed as %02X

    /// <summary>Every socket listening on <paramref name="port"/>, from both tables; a table the kernel does not offer (no IPv6, no /proc) is skipped.</summary>
    public static List<TcpListenerEntry> ReadListeners(int port)
    {
        var found = new List<TcpListenerEntry>();
        foreach (string path in (ReadOnlySpan<string>)["/proc/net/tcp", "/proc/net/tcp6"])
        {
            try
            {
                using var reader = new StreamReader(path);
                found.AddRange(ParseListeners(reader, port));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // IPv6 disabled (no tcp6) or no procfs: nothing there we could see. bind(2) still refuses a listener
                // that did not set SO_REUSEPORT; only a same-user SO_REUSEPORT one could then go unnoticed.
            }
        }
        return found;
    }

    /// <summary>
    /// Parses one table's text (the header line, then one socket per line: <c>sl local rem st tx:rx tr:when retr uid timeout inode …</c>)
    /// and yields the listening sockets on <paramref name="port"/>; <paramref name="port"/> -1 yields every listener.
    /// A line that does not have that shape is skipped.
    /// </summary>
    public static IEnumerable<TcpListenerEntry> ParseListeners(TextReader reader, int port = -1)
    {
        while (reader.ReadLine() is { } line)
        {
            if (TryParseListener(line, port, out var entry)) yield return entry;
        }
    }

    /// <summary>
    /// Whether a listener on <paramref name="theirs"/> takes connections meant for <paramref name="ours"/> on the same
    /// port, as bind(2) would see it: the same address, or a wildcard of the family on either side. An IPv6 wildcard
    /// counts for IPv4 too: Linux listens dual-stack by default (net.ipv6.bindv6only = 0) and the table does not show
    /// IPV6_V6ONLY, so the check errs on the side of "in use". IPv4-mapped IPv6 addresses compare as IPv4.
    /// </summary>
    public static bool Overlaps(IPAddress ours, IPAddress theirs)
    {
        ours = Unmapped(ours);
        theirs = Unmapped(theirs);
        if (IsIPv6Wildcard(ours) || IsIPv6Wildcard(theirs)) return true;
        if (ours.AddressFamily != theirs.AddressFamily) return false;
        if (IsIPv4Wildcard(ours) || IsIPv4Wildcard(theirs)) return true;
        // Bytes, not Equals: a link-local address's scope id is not in the table.
        return ours.GetAddressBytes().AsSpan().SequenceEqual(theirs.GetAddressBytes());
    }

    private static bool TryParseListener(string line, int port, out TcpListenerEntry entry)
    {
        entry = default;
        Span<Range> fields = stackalloc Range[11];
        var text = line.AsSpan().Trim();
        if (text.SplitAny(fields, " \t", StringSplitOptions.RemoveEmptyEntries) < 10) return false;
        var local = text[fields[1]];
        if (!text[fields[3]].SequenceEqual(ListenState)) return false;
        int colon = local.IndexOf(':');
        if (colon < 0) return false;
        if (!int.TryParse(local[(colon + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int localPort)) return false;
        if (port >= 0 && localPort != port) return false;
        if (!TryParseAddress(local[..colon], out var address)) return false;
        if (!long.TryParse(text[fields[9]], NumberStyles.None, CultureInfo.InvariantCulture, out long inode)) return false;
        entry = new TcpListenerEntry(address, localPort, inode);
        return true;
    }

    // The kernel prints the address as 32-bit words in host byte order (%08X of each __be32 read as a u32): 127.0.0.1 is
    // 0100007F on a little-endian machine. Writing each word back in native order restores the network-order bytes.
    private static bool TryParseAddress(ReadOnlySpan<char> hex, out IPAddress address)
    {
        address = IPAddress.None;
        if (hex.Length is not (8 or 32)) return false;
        Span<byte> bytes = stackalloc byte[hex.Length / 2];
        for (int word = 0; word < hex.Length / 8; word++)
        {
            if (!uint.TryParse(hex.Slice(word * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint value)) return false;
            MemoryMarshal.Write(bytes.Slice(word * 4, 4), in value);
        }
        address = new IPAddress(bytes);
        return true;
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static bool IsIPv6Wildcard(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.GetAddressBytes().AsSpan().IndexOfAnyExcept((byte)0) < 0;

    private static bool IsIPv4Wildcard(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork && address.Equals(IPAddress.Any);
}
