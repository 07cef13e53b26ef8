using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Netloop.Bench.Servers;

/// <summary>
/// The smallest HTTP/2 client that tells whether a server answers <c>GET path</c> with 200 over h2c by prior knowledge:
/// the preface and an empty SETTINGS, then a few GETs on streams 1, 3, …, each answer read to its END_STREAM; the
/// server's SETTINGS and PINGs are acknowledged. The readiness probe and the idle case's warm-up use it, so neither
/// depends on h2load (whose absence only fails the throughput cases). The status is read from the first field of the
/// response header block, which every server under test sends as an HPACK static-table index (<c>0x88</c> for 200).
/// </summary>
internal static class Http2Probe
{
    private const int FrameHeaderLength = 9;
    private const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7;
    private const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4, Padded = 0x8, Priority = 0x20;

    private static readonly byte[] s_preface = [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, 0, 0, 0, Settings, 0, 0, 0, 0, 0];
    private static readonly byte[] s_settingsAck = [0, 0, 0, Settings, Ack, 0, 0, 0, 0];

    // :status of the HPACK static table (RFC 7541 Appendix A), entries 8 to 14.
    private static readonly int[] s_staticStatuses = [200, 204, 206, 304, 400, 404, 500];

    /// <summary>
    /// Sends <paramref name="requests"/> GETs of <paramref name="path"/> on <paramref name="socket"/> (connected, nothing
    /// sent yet) and reads every answer; null when each was a 200, else what went wrong.
    /// </summary>
    public static async Task<string?> GetAsync(Socket socket, string path, string authority, int requests, CancellationToken cancellationToken)
    {
        var request = new List<byte>(s_preface);
        for (int i = 0; i < requests; i++) request.AddRange(HeadersFrame(StreamId(i), path, authority));
        await socket.SendAsync(request.ToArray(), SocketFlags.None, cancellationToken).ConfigureAwait(false);

        var reader = new FrameReader(socket);
        var open = Enumerable.Range(0, requests).Select(StreamId).ToHashSet();
        while (open.Count > 0)
        {
            var frame = await reader.NextAsync(cancellationToken).ConfigureAwait(false);
            if (frame is null) return $"the server closed the HTTP/2 connection with {open.Count} of {requests} answers missing";
            var (type, flags, stream, payload) = frame.Value;
            switch (type)
            {
                case Settings when (flags & Ack) == 0:
                    await socket.SendAsync(s_settingsAck, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    break;
                case Ping when (flags & Ack) == 0:
                    byte[] pong = [0, 0, 8, Ping, Ack, 0, 0, 0, 0, .. payload];
                    await socket.SendAsync(pong, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    break;
                case GoAway:
                    return $"the server sent GOAWAY (error {(payload.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4)) : 0)})";
                case RstStream when open.Contains(stream):
                    return $"the server reset stream {stream} (error {(payload.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(payload) : 0)})";
                case Headers when open.Contains(stream):
                    int status = StatusOf(HeaderBlock(flags, payload));
                    if (status != 200) return status < 0 ? $"GET {path} over HTTP/2: a status the probe cannot read" : $"GET {path} over HTTP/2 answered {status}";
                    if ((flags & EndStream) != 0) open.Remove(stream);
                    break;
                case Data when open.Contains(stream) && (flags & EndStream) != 0:
                    open.Remove(stream);
                    break;
            }
        }
        return null;
    }

    /// <summary>The HEADERS frame of <c>GET path</c> on <paramref name="stream"/>: indexed :method and :scheme, literal :path and :authority.</summary>
    internal static byte[] HeadersFrame(int stream, string path, string authority)
    {
        var block = new List<byte> { 0x82, 0x86 }; // :method GET, :scheme http
        AddLiteral(block, 4, path);                // :path, without indexing
        AddLiteral(block, 1, authority);           // :authority, without indexing
        var frame = new byte[FrameHeaderLength + block.Count];
        frame[0] = (byte)(block.Count >> 16);
        frame[1] = (byte)(block.Count >> 8);
        frame[2] = (byte)block.Count;
        frame[3] = Headers;
        frame[4] = EndStream | EndHeaders;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        block.CopyTo(frame, FrameHeaderLength);
        return frame;
    }

    /// <summary>The status the header block starts with; -1 when it does not start with a :status the probe can read.</summary>
    internal static int StatusOf(ReadOnlySpan<byte> block)
    {
        if (block.IsEmpty) return -1;
        byte first = block[0];
        if (first is >= 0x88 and <= 0x8e) return s_staticStatuses[first - 0x88];
        // A literal value with the :status name (index 8), with incremental, without or never indexing; plain (not Huffman) text.
        if (first is 0x48 or 0x08 or 0x18 && block.Length >= 5 && block[1] == 3
            && int.TryParse(Encoding.ASCII.GetString(block.Slice(2, 3)), NumberStyles.None, CultureInfo.InvariantCulture, out int status))
        {
            return status;
        }
        return -1;
    }

    private static ReadOnlySpan<byte> HeaderBlock(byte flags, byte[] payload)
    {
        var block = payload.AsSpan();
        int padding = 0;
        if ((flags & Padded) != 0 && block.Length > 0)
        {
            padding = block[0];
            block = block[1..];
        }
        if ((flags & Priority) != 0) block = block.Length >= 5 ? block[5..] : [];
        return padding <= block.Length ? block[..^padding] : [];
    }

    private static void AddLiteral(List<byte> block, byte nameIndex, string value)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(value);
        if (bytes.Length > 126) throw new ArgumentException($"'{value}' is longer than the probe encodes", nameof(value));
        block.Add(nameIndex);
        block.Add((byte)bytes.Length);
        block.AddRange(bytes);
    }

    private static int StreamId(int index) => 2 * index + 1;

    // Whole frames from the socket; null once the server has closed it.
    private sealed class FrameReader(Socket socket)
    {
        private byte[] _buffer = new byte[32 * 1024];
        private int _start;
        private int _end;

        public async Task<(byte Type, byte Flags, int Stream, byte[] Payload)?> NextAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                int available = _end - _start;
                if (available >= FrameHeaderLength)
                {
                    var header = _buffer.AsSpan(_start, FrameHeaderLength);
                    int length = (header[0] << 16) | (header[1] << 8) | header[2];
                    if (available >= FrameHeaderLength + length)
                    {
                        byte type = header[3], flags = header[4];
                        int stream = BinaryPrimitives.ReadInt32BigEndian(header[5..]) & int.MaxValue;
                        byte[] payload = _buffer.AsSpan(_start + FrameHeaderLength, length).ToArray();
                        _start += FrameHeaderLength + length;
                        return (type, flags, stream, payload);
                    }
                    if (FrameHeaderLength + length > _buffer.Length) Array.Resize(ref _buffer, FrameHeaderLength + length);
                }
                if (_start > 0)
                {
                    _buffer.AsSpan(_start, available).CopyTo(_buffer);
                    _start = 0;
                    _end = available;
                }
                int n = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (n == 0) return null;
                _end += n;
            }
        }
    }
}
