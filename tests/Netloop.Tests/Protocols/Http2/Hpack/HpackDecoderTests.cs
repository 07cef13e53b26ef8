using Netloop.Protocols.Http2.Hpack;
using static Netloop.Tests.Protocols.Http2.Hpack.HpackTestSupport;

namespace Netloop.Tests.Protocols.Http2.Hpack;

/// <summary>The decoder against malformed and hostile blocks, and the dynamic table's rules (RFC 7541 §4, §6).</summary>
public class HpackDecoderTests
{
    [Theory]
    [InlineData("80", "index 0")]                                     // §6.1: index 0
    [InlineData("be", "index 62")]                                    // past the static table, dynamic table empty
    [InlineData("ff 80 80 80 80 08", "exceeds")]                      // an index past 2^31-1
    [InlineData("0f 2f 01 61", "index 62")]                           // a literal's name index past the tables
    [InlineData("40 80", "ends inside an integer")]                   // an empty Huffman name, then no value
    [InlineData("82 20", "follows a header field")]                   // §4.2: size update after a field
    [InlineData("3f e2 1f", "exceeds the advertised 4096")]           // a size update to 4097
    [InlineData("40 0a 63 75 73", "runs past the end")]               // name longer than the block
    [InlineData("40 7f ff ff ff 7f", "runs past the end")]            // a 268 MB name claimed in a 6-byte block
    [InlineData("40 7f ff ff ff ff 0f", "exceeds")]                   // a length past 2^31-1
    [InlineData("00 01 61 84 ff ff ff ff", "EOS")]                    // Huffman value containing EOS
    [InlineData("00 01 61 81 ff", "padding")]                         // Huffman value: 8 bits of padding
    [InlineData("00 81 18 00", "padding")]                            // Huffman name: padding not all ones
    [InlineData("0f", "ends inside an integer")]                      // a name index cut short
    [InlineData("00 01", "runs past the end")]                        // value missing
    [InlineData("00 01 61", "ends inside an integer")]                // value length missing
    [InlineData("82 3f", "follows a header field")]
    public void Malformed_blocks_are_decoding_errors(string hex, string reason)
    {
        var decoder = new HpackDecoder(4096, 16 * 1024);
        var error = Assert.Throws<HpackDecodingException>(() => decoder.Decode(Hex(hex), new RecordingSink()));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_claimed_length_allocates_nothing_beyond_the_block()
    {
        var decoder = new HpackDecoder(4096, 16 * 1024);
        var block = Hex("40 ff ff ff ff 07"); // a Huffman name of 16 MB claimed
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<HpackDecodingException>(() => decoder.Decode(block, new RecordingSink()));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16 * 1024);
    }

    [Fact]
    public void Size_updates_at_the_start_of_a_block_apply_and_evict()
    {
        var decoder = new HpackDecoder(4096, 16 * 1024);
        Decode(decoder, Hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")); // C.2.1, 55
        Assert.Equal(55, decoder.DynamicTableSize);
        Assert.Equal([(":method", "GET")], Decode(decoder, Hex("20 3f e1 1f 82"))); // to 0 then to 4096: two updates, then a field
        Assert.Equal(0, decoder.DynamicTableCount);
        Assert.Equal(0, decoder.DynamicTableSize);
        Assert.Empty(Decode(decoder, Hex("3f e1 1f"))); // a block holding only an update is valid
    }

    [Fact]
    public void A_table_of_size_0_stores_nothing_and_still_passes_the_fields_on()
    {
        var decoder = new HpackDecoder(0, 16 * 1024);
        Assert.Equal([("custom-key", "custom-header")], Decode(decoder, Hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")));
        Assert.Equal(0, decoder.DynamicTableCount);
        Assert.Throws<HpackDecodingException>(() => decoder.Decode(Hex("be"), new RecordingSink()));
        Assert.Equal([(":status", "200")], Decode(decoder, Hex("20 88")));
        Assert.Throws<HpackDecodingException>(() => decoder.Decode(Hex("21"), new RecordingSink())); // above the 0 we advertised
    }

    [Fact]
    public void An_entry_larger_than_the_table_empties_it()
    {
        var decoder = new HpackDecoder(100, 16 * 1024);
        Decode(decoder, Hex("40 01 61 01 62")); // a: b, 34
        Assert.Equal(1, decoder.DynamicTableCount);
        // 40 + 30 + 32 = 102 > 100: §4.4, the table is emptied and the entry not added; the field still counts.
        var name = new string('n', 40);
        var value = new string('v', 30);
        var block = new List<byte> { 0x40, 40 };
        block.AddRange(Latin1(name));
        block.Add(30);
        block.AddRange(Latin1(value));
        Assert.Equal([(name, value)], Decode(decoder, [.. block]));
        Assert.Equal(0, decoder.DynamicTableCount);
        Assert.Equal(0, decoder.DynamicTableSize);
    }

    [Fact]
    public void A_name_taken_from_the_entry_its_field_evicts_survives()
    {
        // Room for one 40-byte entry: adding "aaaa: cccc" with the name of entry 62 evicts that very entry.
        var decoder = new HpackDecoder(64, 16 * 1024);
        Decode(decoder, Hex("40 04 61616161 04 62626262"));
        Assert.Equal([("aaaa", "cccc")], Decode(decoder, Hex("7e 04 63636363")));
        Assert.Equal([("aaaa", "cccc")], DynamicTable(decoder));
        Assert.Equal(40, decoder.DynamicTableSize);
    }

    [Fact]
    public void A_header_list_too_large_is_decoded_to_the_end_and_keeps_the_table_in_step()
    {
        // Cap 100: the first two fields (42 + 45 = 87) pass, the third takes the list to 87 + 57 and is held back,
        // and so is the fourth, though it is small; all three literals are still added to the table.
        var decoder = new HpackDecoder(4096, 100);
        var sink = new RecordingSink();
        var result = decoder.Decode(Hex("""
            4803 3330 32
            40 03 616263 0a 30313233343536373839
            41 0f 7777772e6578616d706c652e636f6d
            82
            """), sink);
        Assert.Equal(HpackDecodeResult.HeaderListTooLarge, result);
        Assert.Equal([(":status", "302"), ("abc", "0123456789")], sink.Fields);
        Assert.Equal(3, decoder.DynamicTableCount);

        // The next blocks refer to all three entries by index and decode as the peer meant.
        Assert.Equal([(":authority", "www.example.com")], Decode(decoder, Hex("be")));
        Assert.Equal([("abc", "0123456789"), (":status", "302")], Decode(decoder, Hex("bf c0")));
    }

    [Fact]
    public void A_huffman_string_past_both_caps_is_checked_but_never_buffered()
    {
        // Caps of 64: a value of 200 bytes can be neither passed on nor stored; it is decoded only to check it.
        var decoder = new HpackDecoder(64, 64);
        var value = new byte[200];
        value.AsSpan().Fill((byte)'a');
        var encoded = new byte[HuffmanEncoder.GetEncodedLength(value)];
        HuffmanEncoder.Encode(value, encoded);
        var block = new List<byte> { 0x40, 0x01, (byte)'x' };
        var length = new byte[HpackInteger.MaxEncodedLength];
        int n = HpackInteger.Encode(encoded.Length, 7, 0x80, length);
        block.AddRange(length.AsSpan(0, n).ToArray());
        block.AddRange(encoded);
        block.Add(0x82);
        var sink = new RecordingSink();
        Assert.Equal(HpackDecodeResult.HeaderListTooLarge, decoder.Decode(block.ToArray(), sink));
        Assert.Empty(sink.Fields);
        Assert.Equal(0, decoder.DynamicTableCount);

        // A bad code in such a string is still found.
        block[^2] = 0xfe; // the last two codes become 00111 11110: padding that is not all ones
        Assert.Throws<HpackDecodingException>(() => decoder.Decode(block.ToArray(), new RecordingSink()));
    }

    [Fact]
    public void An_empty_block_is_an_empty_list()
    {
        var decoder = new HpackDecoder(4096, 100);
        Assert.Equal(HpackDecodeResult.Ok, decoder.Decode([], new RecordingSink()));
    }

    [Fact]
    public void Names_are_passed_on_as_sent()
    {
        var decoder = new HpackDecoder(4096, 1000);
        Assert.Equal([("X-Upper", "v")], Decode(decoder, Hex("00 07 582d5570706572 01 76")));
    }
}
