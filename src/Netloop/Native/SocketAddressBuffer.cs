using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using static Netloop.Native.Constants;

namespace Netloop.Native;

/// <summary>A <c>sockaddr_in</c> or <c>sockaddr_in6</c> held by value, converted to and from <see cref="IPEndPoint"/>.</summary>
internal struct SocketAddressBuffer
{
    public const uint Capacity = 28; // sizeof(struct sockaddr_in6)

    [InlineArray(28)]
    public struct Storage
    {
        private byte _first;
    }

    public Storage Bytes;
    public uint Length;

    public static SocketAddressBuffer From(IPEndPoint endPoint)
    {
        var result = default(SocketAddressBuffer);
        Span<byte> b = result.Bytes;
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, AF_INET); // sa_family is host order
            BinaryPrimitives.WriteUInt16BigEndian(b[2..], (ushort)endPoint.Port);
            endPoint.Address.TryWriteBytes(b[4..8], out _);
            result.Length = 16;
        }
        else if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, AF_INET6);
            BinaryPrimitives.WriteUInt16BigEndian(b[2..], (ushort)endPoint.Port);
            // b[4..8]: flow info = 0
            endPoint.Address.TryWriteBytes(b[8..24], out _);
            BinaryPrimitives.WriteUInt32LittleEndian(b[24..], (uint)endPoint.Address.ScopeId);
            result.Length = 28;
        }
        else
        {
            throw new ArgumentException($"unsupported address family {endPoint.AddressFamily}", nameof(endPoint));
        }
        return result;
    }

    public readonly int Family => BinaryPrimitives.ReadUInt16LittleEndian(Bytes);

    public readonly IPEndPoint ToEndPoint()
    {
        ReadOnlySpan<byte> b = Bytes;
        int port = BinaryPrimitives.ReadUInt16BigEndian(b[2..]);
        return Family switch
        {
            AF_INET => new IPEndPoint(new IPAddress(b[4..8]), port),
            AF_INET6 => new IPEndPoint(new IPAddress(b[8..24], BinaryPrimitives.ReadUInt32LittleEndian(b[24..])), port),
            _ => new IPEndPoint(IPAddress.None, 0),
        };
    }
}
