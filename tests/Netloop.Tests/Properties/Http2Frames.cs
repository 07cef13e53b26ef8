using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using CsCheck;
using Netloop.Http;
using Netloop.Protocols.Http2;
using Netloop.Protocols.Http2.Hpack;
using Netloop.Tests.Protocols.Http2.Support;

namespace Netloop.Tests.Properties;

/// <summary>One frame a generated client sends.</summary>
internal sealed record FrameSpec(byte Type, byte Flags, int StreamId, byte[] Payload)
{
    public byte[] Bytes => H2Client.Frame(Type, Flags, StreamId, Payload);

    public override string ToString()
    {
        string type = Enum.IsDefined((Http2FrameType)Type) ? ((Http2FrameType)Type).ToString() : $"type 0x{Type:X2}";
        string payload = Convert.ToHexString(Payload.AsSpan(0, Math.Min(Payload.Length, 48)));
        return $"{type} flags 0x{Flags:X2} stream {StreamId} [{Payload.Length}] {payload}{(Payload.Length > 48 ? "…" : "")}";
    }
}

/// <summary>
/// Generators of client frame sequences for the HTTP/2 properties: mostly plausible frames (requests as HPACK blocks,
/// sometimes padded, prioritised or continued; DATA; every control frame) on a few stream ids, with some invalid
/// values, unknown types and garbage among them; and the app they talk to.
/// </summary>
internal static class Http2Frames
{
    public static readonly byte[] ClientStart = [.. H2Client.Preface, .. H2Client.Frame((byte)Http2FrameType.Settings, 0, 0, [])];

    private static readonly Gen<int> StreamIds = Gen.Frequency(
        (12, Gen.OneOf(1, 3, 5, 7, 9, 11)),
        (1, Gen.OneOf(0, 2, 4)),
        (1, Gen.Int[0, int.MaxValue]));

    private static readonly Gen<string> Paths = Gen.OneOf("/", "/echo", "/big", "/yield", "/throw");

    private static byte[] U32(uint value) => H2Client.U32(value);

    /// <summary>A request header block, encoded without indexing so blocks do not depend on each other's order.</summary>
    private static readonly Gen<byte[]> RequestBlocks = Gen.Select(Gen.OneOf("GET", "POST", "HEAD"), Paths, Gen.Int[0, 15], (method, path, variant) =>
    {
        var fields = new List<(string, string)> { (":method", method), (":scheme", "http"), (":path", path), (":authority", "localhost") };
        switch (variant)
        {
            case 0: fields.RemoveAt(2); break; // no :path: malformed (§8.3.1)
            case 1: fields.Add(("X-Upper", "v")); break; // uppercase name: malformed (§8.2.1)
            case 2: fields.Add(("connection", "close")); break; // connection-specific: malformed (§8.2.2)
            case 3: fields.Add(("content-length", "3")); break;
            case 4: fields.Insert(0, ("x-first", "v")); break; // a regular field before pseudo-fields: malformed (§8.3)
            default: fields.Add(("x-n", variant.ToString(System.Globalization.CultureInfo.InvariantCulture))); break;
        }
        var encoder = new HpackEncoder();
        var output = new ArrayBufferWriter<byte>();
        foreach (var (name, value) in fields) encoder.Encode(Encoding.ASCII.GetBytes(name), Encoding.ASCII.GetBytes(value), output, HpackIndexing.WithoutIndexing);
        return output.WrittenSpan.ToArray();
    });

    private static readonly Gen<FrameSpec[]> Headers = Gen.Select(StreamIds, RequestBlocks, Gen.Bool, Gen.Int[0, 5], Gen.Byte,
        (id, block, endStream, variant, extra) =>
        {
            byte end = endStream ? Http2Flags.EndStream : Http2Flags.None;
            byte type = (byte)Http2FrameType.Headers;
            FrameSpec[] frames = variant switch
            {
                0 when block.Length > 1 =>
                [
                    new FrameSpec(type, end, id, block[..(block.Length / 2)]),
                    new FrameSpec((byte)Http2FrameType.Continuation, Http2Flags.EndHeaders, id, block[(block.Length / 2)..]),
                ],
                1 => [new FrameSpec(type, (byte)(end | Http2Flags.EndHeaders | Http2Flags.Padded), id, [(byte)(extra % 16), .. block, .. new byte[extra % 16]])],
                2 => [new FrameSpec(type, (byte)(end | Http2Flags.EndHeaders | Http2Flags.Priority), id, [.. U32((uint)(extra % 8)), extra, .. block])],
                _ => [new FrameSpec(type, (byte)(end | Http2Flags.EndHeaders), id, block)],
            };
            return frames;
        });

    private static readonly Gen<FrameSpec[]> Data = Gen.Select(StreamIds, Gen.Byte.Array[0, 100], Gen.Frequency((3, Gen.Const(Http2Flags.EndStream)), (2, Gen.Const(Http2Flags.None)), (1, Gen.Byte)),
        (id, data, flags) => new[] { new FrameSpec((byte)Http2FrameType.Data, flags, id, flags == Http2Flags.Padded ? [0, .. data] : data) });

    private static readonly Gen<(int Id, uint Value)> Settings = Gen.Select(
        Gen.Int[1, 8],
        Gen.Frequency((6, Gen.UInt[0, 70_000]), (1, Gen.UInt[0, 1]), (1, Gen.UInt)));

    private static readonly Gen<FrameSpec[]> Control = Gen.Frequency(
        (3, Gen.Select(Settings.Array[0, 4], Gen.Frequency((5, Gen.Const(false)), (1, Gen.Const(true))), (settings, ack) =>
            new[] { new FrameSpec((byte)Http2FrameType.Settings, ack ? Http2Flags.Ack : Http2Flags.None, 0, ack ? [] : [.. settings.SelectMany(s => (byte[])[(byte)(s.Id >> 8), (byte)s.Id, .. U32(s.Value)])]) })),
        (2, Gen.Select(Gen.Byte.Array[8], Gen.Bool, (payload, ack) => new[] { new FrameSpec((byte)Http2FrameType.Ping, ack ? Http2Flags.Ack : Http2Flags.None, 0, payload) })),
        (3, Gen.Select(Gen.Frequency((3, Gen.Const(0)), (4, StreamIds)), Gen.Frequency((6, Gen.UInt[1, 200_000]), (1, Gen.OneOf(0u, 0x7fff_ffffu, 0xffff_ffffu))),
            (id, increment) => new[] { new FrameSpec((byte)Http2FrameType.WindowUpdate, 0, id, U32(increment)) })),
        (2, Gen.Select(StreamIds, Gen.UInt[0, 14], (id, code) => new[] { new FrameSpec((byte)Http2FrameType.RstStream, 0, id, U32(code)) })),
        (1, Gen.Select(StreamIds, StreamIds, Gen.Byte, (id, dependency, weight) => new[] { new FrameSpec((byte)Http2FrameType.Priority, 0, id, [.. U32((uint)dependency), weight]) })),
        (1, Gen.Select(StreamIds, Gen.UInt[0, 14], (last, code) => new[] { new FrameSpec((byte)Http2FrameType.GoAway, 0, 0, [.. U32((uint)last), .. U32(code)]) })),
        (1, Gen.Select(Gen.Byte[10, 255], Gen.Byte, StreamIds, Gen.Byte.Array[0, 20], (type, flags, id, payload) => new[] { new FrameSpec(type, flags, id, payload) })));

    /// <summary>Anything at all in a frame header, with a short payload.</summary>
    private static readonly Gen<FrameSpec[]> Garbage = Gen.Select(Gen.Byte, Gen.Byte, StreamIds, Gen.Byte.Array[0, 40],
        (type, flags, id, payload) => new[] { new FrameSpec(type, flags, id, payload) });

    /// <summary>Plausible sequences: what a confused or hostile but well-framed client might send.</summary>
    public static readonly Gen<FrameSpec[]> Plausible = Gen.Frequency((4, Headers), (3, Data), (4, Control))
        .Array[1, 16].Select(items => items.SelectMany(frames => frames).ToArray());

    /// <summary>Plausible sequences with garbage frames among them.</summary>
    public static readonly Gen<FrameSpec[]> Any = Gen.Frequency((4, Headers), (3, Data), (4, Control), (1, Garbage))
        .Array[1, 16].Select(items => items.SelectMany(frames => frames).ToArray());

    public static byte[] Serialize(FrameSpec[] frames) => [.. frames.SelectMany(f => f.Bytes)];

    /// <summary>The app: <c>/echo</c> reads the whole body, <c>/big</c> sends more than a window, <c>/yield</c> answers from posted work, <c>/throw</c> fails.</summary>
    public static async ValueTask Handle(HttpContext context)
    {
        switch (context.Request.Path)
        {
            case "/echo":
                context.Response.Write(await context.Request.Body.ReadAllAsync());
                break;
            case "/big":
                context.Response.Write(new byte[100_000]);
                break;
            case "/yield":
                await Task.Yield();
                context.Response.WriteText("later");
                break;
            case "/throw":
                throw new InvalidOperationException("the handler failed");
            default:
                context.Response.WriteText("hello");
                break;
        }
    }
}
