using Netloop.Protocols.Http2.Hpack;
using static Netloop.Tests.Protocols.Http2.Hpack.HpackTestSupport;

namespace Netloop.Tests.Protocols.Http2.Hpack;

/// <summary>The Appendix B code: complete, reversible for every byte, and strict about EOS and padding (§5.2).</summary>
public class HuffmanTests
{
    [Fact]
    public void The_code_is_complete_and_its_lengths_are_those_of_Appendix_B()
    {
        var lengths = HuffmanCode.Lengths;
        var codes = HuffmanCode.Codes;
        Assert.Equal(257, lengths.Length);
        Assert.Equal(257, codes.Length);
        long kraft = 0;
        for (int i = 0; i < 257; i++)
        {
            Assert.InRange(lengths[i], 5, 30);
            Assert.True(codes[i] < 1u << lengths[i], $"code of {i} is longer than its length");
            kraft += 1L << (30 - lengths[i]);
        }
        Assert.Equal(1L << 30, kraft); // every bit string is a prefix of exactly one code
        Assert.Equal(0x3fffffffu, codes[HuffmanCode.EndOfString]);
        Assert.Equal(30, lengths[HuffmanCode.EndOfString]);
        // Spot checks against the printed table: '0' 5 bits 0x0, 'a' 5 bits 0x3, ' ' 6 bits 0x14, 0 13 bits 0x1ff8, 255 26 bits 0x3ffffee.
        Assert.Equal((0x0u, (byte)5), (codes['0'], lengths['0']));
        Assert.Equal((0x3u, (byte)5), (codes['a'], lengths['a']));
        Assert.Equal((0x14u, (byte)6), (codes[' '], lengths[' ']));
        Assert.Equal((0x1ff8u, (byte)13), (codes[0], lengths[0]));
        Assert.Equal((0x3ffffeeu, (byte)26), (codes[255], lengths[255]));
    }

    [Theory]
    [InlineData("www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff")]
    [InlineData("no-cache", "a8eb 1064 9cbf")]
    [InlineData("custom-key", "25a8 49e9 5ba9 7d7f")]
    [InlineData("custom-value", "25a8 49e9 5bb8 e8b4 bf")]
    [InlineData("302", "6402")]
    [InlineData("private", "aec3 771a 4b")]
    [InlineData("Mon, 21 Oct 2013 20:13:21 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff")]
    [InlineData("https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3")]
    [InlineData("", "")]
    public void The_strings_of_Appendix_C_encode_and_decode(string text, string hex)
    {
        var expected = Hex(hex);
        Assert.Equal(expected.Length, HuffmanEncoder.GetEncodedLength(Latin1(text)));
        var encoded = new byte[expected.Length];
        Assert.Equal(expected.Length, HuffmanEncoder.Encode(Latin1(text), encoded));
        Assert.Equal(ToHex(expected), ToHex(encoded));
        var decoded = new byte[text.Length];
        Assert.Equal(text.Length, HuffmanDecoder.Decode(expected, decoded));
        Assert.Equal(text, System.Text.Encoding.Latin1.GetString(decoded));
    }

    [Fact]
    public void Every_byte_value_round_trips_alone_and_together()
    {
        var all = new byte[256 * 3];
        for (int i = 0; i < all.Length; i++) all[i] = (byte)(i % 256);
        for (int b = 0; b < 256; b++) AssertRoundTrip([(byte)b]);
        for (int b = 0; b < 256; b++) AssertRoundTrip([(byte)b, (byte)(255 - b), (byte)b]);
        AssertRoundTrip(all);
        AssertRoundTrip([]);
    }

    private static void AssertRoundTrip(byte[] source)
    {
        var encoded = new byte[HuffmanEncoder.GetEncodedLength(source)];
        Assert.Equal(encoded.Length, HuffmanEncoder.Encode(source, encoded));
        var decoded = new byte[source.Length];
        Assert.Equal(source.Length, HuffmanDecoder.Decode(encoded, decoded));
        Assert.Equal(source, decoded);
    }

    [Theory]
    [InlineData("ffff ffff", "EOS")]     // the 30-bit EOS code, then padding
    [InlineData("1fff fffff c", "EOS")]  // 'a' then EOS
    [InlineData("ff", "padding")]        // 8 bits of padding and no symbol
    [InlineData("1fff", "padding")]      // 'a' (00011) then 11 bits of padding
    [InlineData("18", "padding")]        // 'a' then 000: padding not all ones
    [InlineData("1e", "padding")]        // 'a' then 110
    [InlineData("fe", "padding")]        // a code cut short that is not all ones
    public void Invalid_strings_are_decoding_errors(string hex, string reason)
    {
        var error = Assert.Throws<HpackDecodingException>(() => HuffmanDecoder.Decode(Hex(hex), new byte[64]));
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("1f", "a")]    // 'a' (00011) then 111: up to 7 ones are padding
    [InlineData("07", "0")]    // '0' (00000) then 111
    [InlineData("18ff", "aa")] // 00011 00011 then six ones
    public void Short_padding_of_ones_is_accepted(string hex, string text)
    {
        var decoded = new byte[4];
        Assert.Equal(text.Length, HuffmanDecoder.Decode(Hex(hex), decoded));
        Assert.Equal(text, System.Text.Encoding.Latin1.GetString(decoded, 0, text.Length));
    }

    [Fact]
    public void A_destination_too_small_gets_a_prefix_and_the_full_length()
    {
        var encoded = new byte[HuffmanEncoder.GetEncodedLength("www.example.com"u8)];
        HuffmanEncoder.Encode("www.example.com"u8, encoded);
        var decoded = new byte[3];
        Assert.Equal(15, HuffmanDecoder.Decode(encoded, decoded));
        Assert.Equal("www"u8.ToArray(), decoded);
    }
}
