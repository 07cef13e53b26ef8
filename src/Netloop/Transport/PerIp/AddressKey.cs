using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Netloop.Native;

namespace Netloop.Transport.PerIp;

/// <summary>
/// A client address as the per-IP table keys it: 128 bits by value. IPv4 is held in its IPv4-mapped IPv6 form
/// (<c>::ffff:a.b.c.d</c>), so a dual-stack listener's mapped clients and a plain IPv4 listener's count alike; IPv6 keeps
/// only its leading prefix bits, so a host cannot escape its limit by hopping between the addresses of its own /64.
/// </summary>
internal readonly struct AddressKey : IEquatable<AddressKey>
{
    private const ulong MappedIpv4High = 0;
    private const ulong MappedIpv4Prefix = 0x0000_FFFF_0000_0000;

    public AddressKey(ulong high, ulong low)
    {
        High = high;
        Low = low;
    }

    public ulong High { get; }

    public ulong Low { get; }

    public bool IsIpv4 => High == MappedIpv4High && (Low & 0xFFFF_FFFF_0000_0000) == MappedIpv4Prefix;

    /// <summary>The key of an accepted socket's peer, read straight from its sockaddr (no IPAddress is made).</summary>
    public static AddressKey From(in SocketAddressBuffer address, int ipv6PrefixLength)
    {
        ReadOnlySpan<byte> b = address.Bytes;
        return address.Family switch
        {
            Constants.AF_INET => Ipv4(BinaryPrimitives.ReadUInt32BigEndian(b[4..8])),
            Constants.AF_INET6 => Ipv6(BinaryPrimitives.ReadUInt64BigEndian(b[8..16]), BinaryPrimitives.ReadUInt64BigEndian(b[16..24]), ipv6PrefixLength),
            _ => default,
        };
    }

    /// <summary>The key of <paramref name="address"/> (tests, and anything that already holds an IPAddress).</summary>
    public static AddressKey From(IPAddress address, int ipv6PrefixLength)
    {
        Span<byte> b = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(b, out _);
            return Ipv4(BinaryPrimitives.ReadUInt32BigEndian(b));
        }
        address.TryWriteBytes(b, out _);
        return Ipv6(BinaryPrimitives.ReadUInt64BigEndian(b), BinaryPrimitives.ReadUInt64BigEndian(b[8..]), ipv6PrefixLength);
    }

    private static AddressKey Ipv4(uint address) => new(MappedIpv4High, MappedIpv4Prefix | address);

    private static AddressKey Ipv6(ulong high, ulong low, int prefixLength)
    {
        // ::ffff:a.b.c.d is an IPv4 client on a dual-stack socket: counted as that IPv4 address, never masked.
        if (high == MappedIpv4High && (low & 0xFFFF_FFFF_0000_0000) == MappedIpv4Prefix) return new AddressKey(high, low);
        return new AddressKey(high & Mask(prefixLength), low & Mask(prefixLength - 64));
    }

    /// <summary>The leading <paramref name="bits"/> of a 64-bit half set (clamped to 0-64).</summary>
    private static ulong Mask(int bits) => bits <= 0 ? 0 : bits >= 64 ? ulong.MaxValue : ulong.MaxValue << (64 - bits);

    public bool Equals(AddressKey other) => High == other.High && Low == other.Low;

    public override bool Equals(object? obj) => obj is AddressKey other && Equals(other);

    // HashCode is seeded per process: a client choosing its addresses cannot aim them at one bucket of the table.
    public override int GetHashCode() => HashCode.Combine(High, Low);

    public override string ToString()
    {
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(b, High);
        BinaryPrimitives.WriteUInt64BigEndian(b[8..], Low);
        return IsIpv4 ? new IPAddress(b[12..]).ToString() : new IPAddress(b).ToString();
    }
}
