using System.Buffers;
using Netloop.Protocols.Http2.Hpack;
using static Netloop.Tests.Protocols.Http2.Hpack.HpackTestSupport;

namespace Netloop.Tests.Protocols.Http2.Hpack;

/// <summary>
/// Every example of RFC 7541 Appendix C: the listed bytes decode to the listed fields and dynamic table, and the
/// encoder, given the same fields and choices (indexing kind, Huffman on or off), writes exactly the listed bytes and
/// reaches the same table.
/// </summary>
public class AppendixCTests
{
    private sealed record Example(string Section, string Block, (string Name, string Value)[] Fields, (string Name, string Value)[] Table, int Size);

    private static readonly (string, string)[] Request1 = [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")];
    private static readonly (string, string)[] Request2 = [.. Request1, ("cache-control", "no-cache")];
    private static readonly (string, string)[] Request3 =
        [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")];

    private static readonly (string, string)[] RequestTable1 = [(":authority", "www.example.com")];
    private static readonly (string, string)[] RequestTable2 = [("cache-control", "no-cache"), (":authority", "www.example.com")];
    private static readonly (string, string)[] RequestTable3 = [("custom-key", "custom-value"), ("cache-control", "no-cache"), (":authority", "www.example.com")];

    private const string Date1 = "Mon, 21 Oct 2013 20:13:21 GMT";
    private const string Date2 = "Mon, 21 Oct 2013 20:13:22 GMT";
    private const string Cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

    private static readonly (string, string)[] Response1 =
        [(":status", "302"), ("cache-control", "private"), ("date", Date1), ("location", "https://www.example.com")];
    private static readonly (string, string)[] Response2 =
        [(":status", "307"), ("cache-control", "private"), ("date", Date1), ("location", "https://www.example.com")];
    private static readonly (string, string)[] Response3 =
        [(":status", "200"), ("cache-control", "private"), ("date", Date2), ("location", "https://www.example.com"), ("content-encoding", "gzip"), ("set-cookie", Cookie)];

    private static readonly (string, string)[] ResponseTable1 =
        [("location", "https://www.example.com"), ("date", Date1), ("cache-control", "private"), (":status", "302")];
    private static readonly (string, string)[] ResponseTable2 =
        [(":status", "307"), ("location", "https://www.example.com"), ("date", Date1), ("cache-control", "private")];
    private static readonly (string, string)[] ResponseTable3 = [("set-cookie", Cookie), ("content-encoding", "gzip"), ("date", Date2)];

    private static readonly Example[] C3 =
    [
        new("C.3.1", "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", Request1, RequestTable1, 57),
        new("C.3.2", "8286 84be 5808 6e6f 2d63 6163 6865", Request2, RequestTable2, 110),
        new("C.3.3", "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65", Request3, RequestTable3, 164),
    ];

    private static readonly Example[] C4 =
    [
        new("C.4.1", "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", Request1, RequestTable1, 57),
        new("C.4.2", "8286 84be 5886 a8eb 1064 9cbf", Request2, RequestTable2, 110),
        new("C.4.3", "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf", Request3, RequestTable3, 164),
    ];

    private static readonly Example[] C5 =
    [
        new("C.5.1", """
            4803 3330 3258 0770 7269 7661 7465 611d
            4d6f 6e2c 2032 3120 4f63 7420 3230 3133
            2032 303a 3133 3a32 3120 474d 546e 1768
            7474 7073 3a2f 2f77 7777 2e65 7861 6d70
            6c65 2e63 6f6d
            """, Response1, ResponseTable1, 222),
        new("C.5.2", "4803 3330 37c1 c0bf", Response2, ResponseTable2, 222),
        new("C.5.3", """
            88c1 611d 4d6f 6e2c 2032 3120 4f63 7420
            3230 3133 2032 303a 3133 3a32 3220 474d
            54c0 5a04 677a 6970 7738 666f 6f3d 4153
            444a 4b48 514b 425a 584f 5157 454f 5049
            5541 5851 5745 4f49 553b 206d 6178 2d61
            6765 3d33 3630 303b 2076 6572 7369 6f6e
            3d31
            """, Response3, ResponseTable3, 215),
    ];

    private static readonly Example[] C6 =
    [
        new("C.6.1", """
            4882 6402 5885 aec3 771a 4b61 96d0 7abe
            9410 54d4 44a8 2005 9504 0b81 66e0 82a6
            2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8
            e9ae 82ae 43d3
            """, Response1, ResponseTable1, 222),
        new("C.6.2", "4883 640e ffc1 c0bf", Response2, ResponseTable2, 222),
        new("C.6.3", """
            88c1 6196 d07a be94 1054 d444 a820 0595
            040b 8166 e084 a62d 1bff c05a 839b d9ab
            77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b
            3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
            9587 3160 65c0 03ed 4ee5 b106 3d50 07
            """, Response3, ResponseTable3, 215),
    ];

    public static TheoryData<string> Sequences => ["C.3", "C.4", "C.5", "C.6"];

    private static (Example[] Examples, int TableSize, bool Huffman) Sequence(string name) => name switch
    {
        "C.3" => (C3, 4096, false),
        "C.4" => (C4, 4096, true),
        "C.5" => (C5, 256, false),
        _ => (C6, 256, true),
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public void Decoding_the_sequence_gives_the_listed_fields_and_tables(string sequence)
    {
        var (examples, tableSize, _) = Sequence(sequence);
        var decoder = new HpackDecoder(tableSize, 64 * 1024);
        foreach (var example in examples)
        {
            Assert.Equal(example.Fields, Decode(decoder, Hex(example.Block)));
            Assert.Equal(example.Table, DynamicTable(decoder));
            Assert.Equal(example.Size, decoder.DynamicTableSize);
            Assert.Equal(RfcSize(example.Table), example.Size); // the listed sizes agree with §4.1
        }
    }

    [Theory]
    [MemberData(nameof(Sequences))]
    public void Encoding_the_sequence_gives_the_listed_bytes_and_tables(string sequence)
    {
        var (examples, tableSize, huffman) = Sequence(sequence);
        var encoder = new HpackEncoder(tableSize);
        foreach (var example in examples)
        {
            var output = new ArrayBufferWriter<byte>();
            foreach (var (name, value) in example.Fields) encoder.Encode(name, value, output, HpackIndexing.Incremental, huffman);
            Assert.Equal(ToHex(Hex(example.Block)), ToHex(output.WrittenSpan));
            Assert.Equal(example.Size, encoder.DynamicTableSize);
            AssertEncoderTable(encoder, example.Table);
        }
    }

    [Theory]
    [MemberData(nameof(Sequences))]
    public void The_byte_overload_writes_the_same_as_the_string_one(string sequence)
    {
        var (examples, tableSize, huffman) = Sequence(sequence);
        var encoder = new HpackEncoder(tableSize);
        foreach (var example in examples)
        {
            var output = new ArrayBufferWriter<byte>();
            foreach (var (name, value) in example.Fields) encoder.Encode(Latin1(name), Latin1(value), output, HpackIndexing.Incremental, huffman);
            Assert.Equal(ToHex(Hex(example.Block)), ToHex(output.WrittenSpan));
        }
    }

    [Theory]
    [InlineData("C.2.1", "custom-key", "custom-header", "Incremental", "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572", 55)]
    [InlineData("C.2.2", ":path", "/sample/path", "WithoutIndexing", "040c 2f73 616d 706c 652f 7061 7468", 0)]
    [InlineData("C.2.3", "password", "secret", "NeverIndexed", "1008 7061 7373 776f 7264 0673 6563 7265 74", 0)]
    [InlineData("C.2.4", ":method", "GET", "Incremental", "82", 0)]
    public void Each_field_representation_of_C2_decodes_and_encodes(string section, string name, string value, string indexing, string block, int tableSize)
    {
        var decoder = new HpackDecoder(4096, 64 * 1024);
        Assert.Equal([(name, value)], Decode(decoder, Hex(block)));
        Assert.Equal(tableSize, decoder.DynamicTableSize);
        Assert.Equal(tableSize == 0 ? [] : new[] { (name, value) }, DynamicTable(decoder));

        var encoder = new HpackEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode(name, value, output, Enum.Parse<HpackIndexing>(indexing), huffman: false);
        Assert.True(ToHex(Hex(block)) == ToHex(output.WrittenSpan), section);
        Assert.Equal(tableSize, encoder.DynamicTableSize);
    }

    [Theory]
    [InlineData("C.1.1", 10, 5, 0x00, "0a")]
    [InlineData("C.1.2", 1337, 5, 0x00, "1f9a0a")]
    [InlineData("C.1.3", 42, 8, 0x00, "2a")]
    public void The_integer_examples_of_C1_encode_and_decode(string section, int value, int prefixBits, byte flags, string hex)
    {
        var buffer = new byte[HpackInteger.MaxEncodedLength];
        int n = HpackInteger.Encode(value, prefixBits, flags, buffer);
        Assert.True(hex == ToHex(buffer.AsSpan(0, n)), section);
        Assert.Equal(n, HpackInteger.GetEncodedLength(value, prefixBits));
        int position = 0;
        Assert.Equal(value, HpackInteger.Decode(Hex(hex), ref position, prefixBits));
        Assert.Equal(n, position);
    }
}
