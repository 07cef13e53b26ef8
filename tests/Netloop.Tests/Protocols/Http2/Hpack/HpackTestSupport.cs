using System.Buffers;
using System.Text;
using Netloop.Protocols.Http2.Hpack;

namespace Netloop.Tests.Protocols.Http2.Hpack;

/// <summary>Hex in the RFC's layout, a sink that records fields, and a look at a decoder's dynamic table.</summary>
internal static class HpackTestSupport
{
    /// <summary>Bytes from hex as RFC 7541 Appendix C prints them ("8286 8441 0f77", spaces and newlines ignored).</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(new string(hex.Where(Uri.IsHexDigit).ToArray()));

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    public static (string Name, string Value) Field(string name, string value) => (name, value);

    public static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    public static List<(string Name, string Value)> Decode(HpackDecoder decoder, byte[] block)
    {
        var sink = new RecordingSink();
        Assert.Equal(HpackDecodeResult.Ok, decoder.Decode(block, sink));
        return sink.Fields;
    }

    /// <summary>
    /// The decoder's dynamic table, newest first, read the way a peer would: by decoding a block of indexed fields
    /// 62, 63, … (an indexed field does not change the table).
    /// </summary>
    public static List<(string Name, string Value)> DynamicTable(HpackDecoder decoder)
    {
        var output = new ArrayBufferWriter<byte>();
        for (int i = 0; i < decoder.DynamicTableCount; i++)
        {
            int n = HpackInteger.Encode(HpackStaticTable.Count + 1 + i, 7, 0x80, output.GetSpan(HpackInteger.MaxEncodedLength));
            output.Advance(n);
        }
        return Decode(decoder, output.WrittenSpan.ToArray());
    }

    /// <summary>
    /// Asserts the encoder's dynamic table holds <paramref name="expected"/>, newest first: encoding each entry again
    /// must give the one-byte indexed field of its position (an indexed field does not change the table).
    /// </summary>
    public static void AssertEncoderTable(HpackEncoder encoder, params (string Name, string Value)[] expected)
    {
        Assert.Equal(expected.Length, encoder.DynamicTableCount);
        for (int i = 0; i < expected.Length; i++)
        {
            var output = new ArrayBufferWriter<byte>();
            encoder.Encode(expected[i].Name, expected[i].Value, output, HpackIndexing.Incremental);
            Assert.Equal(ToHex([(byte)(0x80 | (HpackStaticTable.Count + 1 + i))]), ToHex(output.WrittenSpan));
        }
    }

    public static int RfcSize(IEnumerable<(string Name, string Value)> fields) => fields.Sum(f => f.Name.Length + f.Value.Length + 32);
}

/// <summary>Records every field as Latin-1 strings.</summary>
internal sealed class RecordingSink : IHpackHeaderSink
{
    public List<(string Name, string Value)> Fields { get; } = [];

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
        Fields.Add((Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));
}

/// <summary>Counts fields and bytes without keeping them (for the allocation tests).</summary>
internal sealed class CountingSink : IHpackHeaderSink
{
    public int Fields;
    public long Bytes;

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Fields++;
        Bytes += name.Length + value.Length;
    }
}
