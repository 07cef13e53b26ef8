using System.Buffers.Binary;

namespace Netloop.Protocols.Http2;

/// <summary>The 9-byte header every frame starts with (RFC 9113 §4.1).</summary>
internal readonly record struct Http2FrameHeader(int Length, Http2FrameType Type, byte Flags, int StreamId)
{
    public const int Size = 9;

    /// <summary>The largest frame payload any peer may advertise (2^24 − 1).</summary>
    public const int MaxAllowedFrameSize = (1 << 24) - 1;

    /// <summary>The frame size every peer accepts until it says otherwise (2^14).</summary>
    public const int DefaultMaxFrameSize = 1 << 14;

    public bool HasFlag(byte flag) => (Flags & flag) != 0;

    /// <summary>Reads a header from the first 9 bytes of <paramref name="data"/>; the reserved bit of the stream id is ignored (§4.1).</summary>
    public static Http2FrameHeader Read(ReadOnlySpan<byte> data) => new(
        (data[0] << 16) | (data[1] << 8) | data[2],
        (Http2FrameType)data[3],
        data[4],
        (int)(BinaryPrimitives.ReadUInt32BigEndian(data[5..]) & 0x7fff_ffff));

    public static void Write(Span<byte> destination, int length, Http2FrameType type, byte flags, int streamId)
    {
        destination[0] = (byte)(length >> 16);
        destination[1] = (byte)(length >> 8);
        destination[2] = (byte)length;
        destination[3] = (byte)type;
        destination[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)streamId & 0x7fff_ffff);
    }
}
