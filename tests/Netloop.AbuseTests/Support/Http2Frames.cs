using System.Buffers.Binary;
using System.Text;

namespace Netloop.AbuseTests.Support;

/// <summary>The few HTTP/2 frames (RFC 9113) an abusive client needs, written by hand: no client library would misbehave on purpose.</summary>
internal static class Http2Frames
{
    public static readonly byte[] Preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    /// <summary>
    /// Preface, SETTINGS with the largest stream window, a connection WINDOW_UPDATE to the largest window, and a GET of
    /// <paramref name="path"/> on stream 1: the server may send the whole response at once, so only the socket stops it.
    /// </summary>
    public static byte[] GreedyGet(string path)
    {
        var bytes = new List<byte>(Preface);
        const int maxWindow = int.MaxValue;
        bytes.AddRange(Frame(type: 0x4, flags: 0, stream: 0, [0x00, 0x04, .. UInt32(maxWindow)])); // SETTINGS_INITIAL_WINDOW_SIZE
        bytes.AddRange(Frame(type: 0x8, flags: 0, stream: 0, UInt32(maxWindow - 65_535))); // WINDOW_UPDATE
        // HPACK (RFC 7541): :method GET (static 2), :scheme http (static 6), then :path and :authority as literals
        // without indexing, with the static table's names (4 and 1) and no Huffman coding.
        var block = new List<byte> { 0x82, 0x86 };
        block.AddRange(Literal(4, path));
        block.AddRange(Literal(1, "localhost"));
        bytes.AddRange(Frame(type: 0x1, flags: 0x4 | 0x1, stream: 1, block.ToArray())); // HEADERS, END_HEADERS | END_STREAM
        return bytes.ToArray();
    }

    private static byte[] Literal(int nameIndex, string value)
    {
        byte[] text = Encoding.ASCII.GetBytes(value);
        if (text.Length > 126) throw new ArgumentException("keep it short: one-byte length prefix", nameof(value));
        return [(byte)nameIndex, (byte)text.Length, .. text];
    }

    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        return frame;
    }

    private static byte[] UInt32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }
}
