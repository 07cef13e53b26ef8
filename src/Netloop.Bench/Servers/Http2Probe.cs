using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Netloop.Protocols.Http1;
using Netloop.Protocols.Http2;

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
    private static readonly byte[] s_preface = [.. Http2Preface.Bytes, .. Frame(Http2FrameType.Settings, Http2Flags.None, 0, [])];
    private static readonly byte[] s_settingsAck = Frame(Http2FrameType.Settings, Http2Flags.Ack, 0, []);

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
                case Http2FrameType.Settings when (flags & Http2Flags.Ack) == 0:
                    await socket.SendAsync(s_settingsAck, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    break;
                case Http2FrameType.Ping when (flags & Http2Flags.Ack) == 0:
                    await socket.SendAsync(Frame(Http2FrameType.Ping, Http2Flags.Ack, 0, payload), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    break;
                case Http2FrameType.GoAway:
                    return $"the server sent GOAWAY (error {(payload.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4)) : 0)})";
                case Http2FrameType.RstStream when open.Contains(stream):
                    return $"the server reset stream {stream} (error {(payload.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(payload) : 0)})";
                case Http2FrameType.Headers when open.Contains(stream):
                    int status = StatusOf(HeaderBlock(flags, payload));
                    if (status != 200) return status < 0 ? $"GET {path} over HTTP/2: a status the probe cannot read" : $"GET {path} over HTTP/2 answered {status}";
                    if ((flags & Http2Flags.EndStream) != 0) open.Remove(stream);
                    break;
                case Http2FrameType.Data when open.Contains(stream) && (flags & Http2Flags.EndStream) != 0:
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
        return Frame(Http2FrameType.Headers, Http2Flags.EndStream | Http2Flags.EndHeaders, stream, block.ToArray());
    }

    private static byte[] Frame(Http2FrameType type, int flags, int stream, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[Http2FrameHeader.Size + payload.Length];
        Http2FrameHeader.Write(frame, payload.Length, type, (byte)flags, stream);
        payload.CopyTo(frame.AsSpan(Http2FrameHeader.Size));
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
        if ((flags & Http2Flags.Padded) != 0 && block.Length > 0)
        {
            padding = block[0];
            block = block[1..];
        }
        if ((flags & Http2Flags.Priority) != 0) block = block.Length >= 5 ? block[5..] : [];
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

        public async Task<(Http2FrameType Type, byte Flags, int Stream, byte[] Payload)?> NextAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                int available = _end - _start;
                if (available >= Http2FrameHeader.Size)
                {
                    var header = Http2FrameHeader.Read(_buffer.AsSpan(_start, Http2FrameHeader.Size));
                    int frameSize = Http2FrameHeader.Size + header.Length;
                    if (available >= frameSize)
                    {
                        byte[] payload = _buffer.AsSpan(_start + Http2FrameHeader.Size, header.Length).ToArray();
                        _start += frameSize;
                        return (header.Type, header.Flags, header.StreamId, payload);
                    }
                    if (frameSize > _buffer.Length) Array.Resize(ref _buffer, frameSize);
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
