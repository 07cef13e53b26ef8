using System.Buffers;
using Netloop.Protocols.Http2.Hpack;
using static Netloop.Tests.Protocols.Http2.Hpack.HpackTestSupport;

namespace Netloop.Tests.Protocols.Http2.Hpack;

/// <summary>The encoder's choices: indexes, literal kinds, Huffman, :status, lowercasing, table size updates.</summary>
public class HpackEncoderTests
{
    [Theory]
    [InlineData(200, "88")]
    [InlineData(204, "89")]
    [InlineData(206, "8a")]
    [InlineData(304, "8b")]
    [InlineData(400, "8c")]
    [InlineData(404, "8d")]
    [InlineData(500, "8e")]
    [InlineData(302, "08 82 6402")]      // literal without indexing, name :status (8), "302" Huffman-coded (2 < 3 bytes)
    [InlineData(101, "08 82 0803")]
    [InlineData(999, "08 03 393939")]   // Huffman would be 3 bytes too
    public void Status_codes_use_the_static_table_or_a_literal_with_its_name(int status, string hex)
    {
        var encoder = new HpackEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.EncodeStatus(status, output);
        Assert.Equal(ToHex(Hex(hex)), ToHex(output.WrittenSpan));
        Assert.Equal([(":status", status.ToString(System.Globalization.CultureInfo.InvariantCulture))], Decode(new HpackDecoder(4096, 1000), output.WrittenSpan.ToArray()));
        Assert.Equal(0, encoder.DynamicTableCount);
    }

    [Theory]
    [InlineData(99)]
    [InlineData(1000)]
    [InlineData(-200)]
    public void A_status_outside_100_to_999_is_refused(int status)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HpackEncoder().EncodeStatus(status, new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void String_names_are_written_lowercased_and_found_in_the_static_table()
    {
        var encoder = new HpackEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode("Content-Type", "text/plain", output, HpackIndexing.WithoutIndexing, huffman: false);
        Assert.Equal(ToHex(Hex("0f 10 0a 746578742f706c61696e")), ToHex(output.WrittenSpan)); // name index 31 = 15 + 16
        output.Clear();
        encoder.Encode("X-Custom-Header", "MiXeD", output);
        Assert.Equal([("x-custom-header", "MiXeD")], Decode(new HpackDecoder(4096, 1000), output.WrittenSpan.ToArray()));
    }

    [Fact]
    public void A_char_above_latin1_is_refused()
    {
        var encoder = new HpackEncoder();
        Assert.Throws<ArgumentException>(() => encoder.Encode("x-name", "caf\u20ac", new ArrayBufferWriter<byte>()));
        Assert.Throws<ArgumentException>(() => encoder.Encode("x-n\u0100me", "v", new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void Latin1_values_keep_their_bytes()
    {
        var encoder = new HpackEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode("x-latin", "caf\u00e9\u00ff\u0000", output);
        Assert.Equal([("x-latin", "caf\u00e9\u00ff\u0000")], Decode(new HpackDecoder(4096, 1000), output.WrittenSpan.ToArray()));
    }

    [Fact]
    public void Repeating_response_fields_cost_one_byte_each_once_indexed()
    {
        var encoder = new HpackEncoder();
        var decoder = new HpackDecoder(4096, 16 * 1024);
        (string, string)[] fields = [("date", "Fri, 04 Dec 2026 21:00:00 GMT"), ("content-type", "application/json"), ("server", "Netloop")];
        for (int response = 0; response < 3; response++)
        {
            var output = new ArrayBufferWriter<byte>();
            encoder.EncodeStatus(200, output);
            foreach (var (name, value) in fields) encoder.Encode(name, value, output, HpackIndexing.Incremental);
            encoder.Encode("content-length", "13", output);
            if (response > 0) Assert.Equal(ToHex(Hex("88 c0 bf be 0f 0d 02 3133")), ToHex(output.WrittenSpan)); // "13" is 2 bytes either way: raw
            Assert.Equal([(":status", "200"), .. fields, ("content-length", "13")], Decode(decoder, output.WrittenSpan.ToArray()));
        }
    }

    [Fact]
    public void Never_indexed_fields_are_literals_even_when_a_table_has_them()
    {
        var encoder = new HpackEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode(":method", "GET", output, HpackIndexing.NeverIndexed, huffman: false);
        Assert.Equal(ToHex(Hex("12 03 474554")), ToHex(output.WrittenSpan));
        output.Clear();
        encoder.Encode("set-cookie", "a=b", output, HpackIndexing.NeverIndexed, huffman: false);
        Assert.Equal(ToHex(Hex("1f 28 03 613d62")), ToHex(output.WrittenSpan)); // name index 55 = 15 + 40
        Assert.Equal(0, encoder.DynamicTableCount);
    }

    [Fact]
    public void Huffman_is_used_only_when_it_is_shorter_unless_forced()
    {
        var encoder = new HpackEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode("x-a"u8, "www.example.com"u8, output);
        Assert.Equal(ToHex(Hex("00 03 782d61 8c f1e3 c2e5 f23a 6ba0 ab90 f4ff")), ToHex(output.WrittenSpan));
        output.Clear();
        byte[] binary = [0x00, 0x01, 0xfe, 0xff];
        encoder.Encode("x-a"u8, binary, output);
        Assert.Equal(ToHex(Hex("00 03 782d61 04 0001feff")), ToHex(output.WrittenSpan)); // "x-a" is 3 bytes either way; Huffman would make the value 12
        output.Clear();
        encoder.Encode("x-a"u8, binary, output, huffman: true);
        Assert.Equal(ToHex(Hex("00 83 f2b0ff 8c")), ToHex(output.WrittenSpan[..6]));
        Assert.Equal([("x-a", "\u0000\u0001\u00fe\u00ff")], Decode(new HpackDecoder(4096, 1000), output.WrittenSpan.ToArray()));
    }

    [Fact]
    public void A_new_peer_table_size_is_signalled_at_the_next_block_smallest_first()
    {
        var encoder = new HpackEncoder();
        var decoder = new HpackDecoder(4096, 16 * 1024);
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode("x-one", "1", output, HpackIndexing.Incremental);
        Decode(decoder, output.WrittenSpan.ToArray());

        encoder.SetMaxTableSize(30);
        encoder.SetMaxTableSize(8192); // capped at the encoder's own 4096
        output.Clear();
        encoder.Encode("x-two", "2", output, HpackIndexing.Incremental);
        Assert.Equal(ToHex(Hex("3e 3f e1 1f")), ToHex(output.WrittenSpan[..4])); // 30, then 4096
        Assert.Equal([("x-two", "2")], Decode(decoder, output.WrittenSpan.ToArray()));
        Assert.Equal((1, 1), (encoder.DynamicTableCount, decoder.DynamicTableCount)); // the 30 evicted x-one (38) on both sides

        encoder.SetMaxTableSize(0);
        output.Clear();
        encoder.EncodeStatus(200, output);
        Assert.Equal(ToHex(Hex("20 88")), ToHex(output.WrittenSpan));
        Decode(decoder, output.WrittenSpan.ToArray());
        Assert.Equal((0, 0), (encoder.DynamicTableCount, decoder.DynamicTableCount));

        encoder.SetMaxTableSize(0); // unchanged: nothing to signal
        output.Clear();
        encoder.EncodeStatus(200, output);
        Assert.Equal("88", ToHex(output.WrittenSpan));
    }

    [Fact]
    public void A_field_larger_than_the_table_empties_it_on_both_sides()
    {
        var encoder = new HpackEncoder(128);
        var decoder = new HpackDecoder(128, 16 * 1024);
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode("x-a", "1", output, HpackIndexing.Incremental);
        encoder.Encode("x-big", new string('b', 100), output, HpackIndexing.Incremental);
        Assert.Equal(2, Decode(decoder, output.WrittenSpan.ToArray()).Count);
        Assert.Equal((0, 0), (encoder.DynamicTableCount, decoder.DynamicTableCount));
    }
}
