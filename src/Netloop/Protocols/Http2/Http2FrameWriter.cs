using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Netloop.Protocols.Http2;

/// <summary>Writes the frames the server sends, straight into the connection's output (no intermediate copies).</summary>
internal static class Http2FrameWriter
{
    public static void WriteSettings(IBufferWriter<byte> output, ReadOnlySpan<(Http2SettingId Id, uint Value)> settings)
    {
        int length = settings.Length * 6;
        var span = output.GetSpan(Http2FrameHeader.Size + length);
        Http2FrameHeader.Write(span, length, Http2FrameType.Settings, Http2Flags.None, 0);
        for (int i = 0; i < settings.Length; i++)
        {
            var entry = span.Slice(Http2FrameHeader.Size + i * 6, 6);
            BinaryPrimitives.WriteUInt16BigEndian(entry, (ushort)settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(entry[2..], settings[i].Value);
        }
        output.Advance(Http2FrameHeader.Size + length);
    }

    public static void WriteSettingsAck(IBufferWriter<byte> output) => WriteEmpty(output, Http2FrameType.Settings, Http2Flags.Ack, 0);

    public static void WritePingAck(IBufferWriter<byte> output, ReadOnlySpan<byte> opaque)
    {
        var span = output.GetSpan(Http2FrameHeader.Size + 8);
        Http2FrameHeader.Write(span, 8, Http2FrameType.Ping, Http2Flags.Ack, 0);
        opaque.CopyTo(span[Http2FrameHeader.Size..]);
        output.Advance(Http2FrameHeader.Size + 8);
    }

    public static void WriteWindowUpdate(IBufferWriter<byte> output, int streamId, int increment)
    {
        var span = output.GetSpan(Http2FrameHeader.Size + 4);
        Http2FrameHeader.Write(span, 4, Http2FrameType.WindowUpdate, Http2Flags.None, streamId);
        BinaryPrimitives.WriteUInt32BigEndian(span[Http2FrameHeader.Size..], (uint)increment);
        output.Advance(Http2FrameHeader.Size + 4);
    }

    public static void WriteRstStream(IBufferWriter<byte> output, int streamId, Http2ErrorCode code)
    {
        var span = output.GetSpan(Http2FrameHeader.Size + 4);
        Http2FrameHeader.Write(span, 4, Http2FrameType.RstStream, Http2Flags.None, streamId);
        BinaryPrimitives.WriteUInt32BigEndian(span[Http2FrameHeader.Size..], (uint)code);
        output.Advance(Http2FrameHeader.Size + 4);
    }

    /// <summary>GOAWAY with the last stream the server processed, the code and a one-line reason as debug data (§6.8).</summary>
    public static void WriteGoAway(IBufferWriter<byte> output, int lastStreamId, Http2ErrorCode code, string? reason)
    {
        int debugLength = reason is null ? 0 : Math.Min(Encoding.ASCII.GetByteCount(reason), 256);
        var span = output.GetSpan(Http2FrameHeader.Size + 8 + debugLength);
        Http2FrameHeader.Write(span, 8 + debugLength, Http2FrameType.GoAway, Http2Flags.None, 0);
        BinaryPrimitives.WriteUInt32BigEndian(span[Http2FrameHeader.Size..], (uint)lastStreamId & 0x7fff_ffff);
        BinaryPrimitives.WriteUInt32BigEndian(span[(Http2FrameHeader.Size + 4)..], (uint)code);
        if (debugLength > 0) Encoding.ASCII.GetBytes(reason.AsSpan(0, Math.Min(reason!.Length, debugLength)), span[(Http2FrameHeader.Size + 8)..]);
        output.Advance(Http2FrameHeader.Size + 8 + debugLength);
    }

    /// <summary>A DATA frame header; the caller writes <paramref name="length"/> payload bytes after it.</summary>
    public static void WriteDataHeader(IBufferWriter<byte> output, int streamId, int length, bool endStream)
    {
        var span = output.GetSpan(Http2FrameHeader.Size);
        Http2FrameHeader.Write(span, length, Http2FrameType.Data, endStream ? Http2Flags.EndStream : Http2Flags.None, streamId);
        output.Advance(Http2FrameHeader.Size);
    }

    /// <summary>
    /// A header block as HEADERS followed by as many CONTINUATION frames as <paramref name="maxFrameSize"/> requires
    /// (§6.2, §6.10): no other frame may come between them, so they are written in one go.
    /// </summary>
    public static void WriteHeaders(IBufferWriter<byte> output, int streamId, ReadOnlySpan<byte> block, bool endStream, int maxFrameSize)
    {
        var type = Http2FrameType.Headers;
        byte flags = endStream ? Http2Flags.EndStream : Http2Flags.None;
        do
        {
            int length = Math.Min(block.Length, maxFrameSize);
            bool last = length == block.Length;
            var span = output.GetSpan(Http2FrameHeader.Size + length);
            Http2FrameHeader.Write(span, length, type, (byte)(flags | (last ? Http2Flags.EndHeaders : 0)), streamId);
            block[..length].CopyTo(span[Http2FrameHeader.Size..]);
            output.Advance(Http2FrameHeader.Size + length);
            block = block[length..];
            type = Http2FrameType.Continuation;
            flags = Http2Flags.None;
        }
        while (!block.IsEmpty);
    }

    private static void WriteEmpty(IBufferWriter<byte> output, Http2FrameType type, byte flags, int streamId)
    {
        var span = output.GetSpan(Http2FrameHeader.Size);
        Http2FrameHeader.Write(span, 0, type, flags, streamId);
        output.Advance(Http2FrameHeader.Size);
    }
}
