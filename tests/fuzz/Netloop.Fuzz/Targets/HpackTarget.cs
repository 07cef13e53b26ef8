using System.Buffers;
using Netloop.Protocols.Http2.Hpack;

namespace Netloop.Fuzz;

/// <summary>
/// <see cref="HpackDecoder"/> on a sequence of header blocks sharing one dynamic table (as the blocks of one
/// connection do). Malformed blocks must throw <see cref="HpackDecodingException"/> and nothing else; a block that
/// decodes must re-encode (with <see cref="HpackEncoder"/>) to a block that decodes to the same fields.
/// </summary>
internal sealed class HpackTarget : FuzzTarget
{
    public override string Name => "hpack";

    public override string Description => "HpackDecoder: the input is header blocks, each after a one-byte length";

    public override void Run(ReadOnlySpan<byte> input)
    {
        var decoder = new HpackDecoder(4096, 16 * 1024);
        var encoder = new HpackEncoder();
        var echo = new HpackDecoder(4096, int.MaxValue);
        foreach (byte[] block in FuzzInput.LengthPrefixed(input))
        {
            var fields = new FieldList();
            HpackDecodeResult result;
            try
            {
                result = decoder.Decode(block, fields);
            }
            catch (HpackDecodingException)
            {
                return; // a connection error: the connection (and its table) ends here
            }
            FuzzBugException.Check(decoder.DynamicTableSize <= 4096, $"dynamic table at {decoder.DynamicTableSize} bytes");
            if (result != HpackDecodeResult.Ok) continue;

            var output = new ArrayBufferWriter<byte>();
            foreach (var (name, value) in fields.Fields) encoder.Encode(name, value, output, HpackIndexing.Incremental);
            var again = new FieldList();
            echo.Decode(output.WrittenSpan, again);
            FuzzBugException.Check(fields.SameAs(again), "a decoded block re-encoded to other fields");
        }
    }

    private sealed class FieldList : IHpackHeaderSink
    {
        public List<(byte[] Name, byte[] Value)> Fields { get; } = [];

        public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => Fields.Add((name.ToArray(), value.ToArray()));

        public bool SameAs(FieldList other) =>
            Fields.Count == other.Fields.Count
            && Fields.Zip(other.Fields).All(p => p.First.Name.AsSpan().SequenceEqual(p.Second.Name) && p.First.Value.AsSpan().SequenceEqual(p.Second.Value));
    }
}
