using Netloop.Protocols.Http2.Hpack;
using static Netloop.Tests.Protocols.Http2.Hpack.HpackTestSupport;

namespace Netloop.Tests.Protocols.Http2.Hpack;

/// <summary>RFC 7541 §5.1 integers at their edges: every prefix width, 2^31-1, and what a decoder must refuse.</summary>
public class HpackIntegerTests
{
    public static TheoryData<int> PrefixWidths => [1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [MemberData(nameof(PrefixWidths))]
    public void Values_at_the_edges_round_trip_and_keep_the_flag_bits(int prefixBits)
    {
        int max = (1 << prefixBits) - 1;
        byte flags = (byte)(0xFF << prefixBits);
        foreach (int value in new[] { 0, 1, max - 1, max, max + 1, max + 127, max + 128, 16383, 1 << 20, int.MaxValue - 1, int.MaxValue })
        {
            if (value < 0) continue;
            var buffer = new byte[HpackInteger.MaxEncodedLength];
            int n = HpackInteger.Encode(value, prefixBits, flags, buffer);
            Assert.Equal(HpackInteger.GetEncodedLength(value, prefixBits), n);
            Assert.Equal(flags, (byte)(buffer[0] & flags));
            int position = 0;
            Assert.Equal(value, HpackInteger.Decode(buffer.AsSpan(0, n), ref position, prefixBits));
            Assert.Equal(n, position);
        }
    }

    [Fact]
    public void Decoding_starts_at_the_position_and_ignores_the_flag_bits()
    {
        int position = 2;
        Assert.Equal(1337, HpackInteger.Decode(Hex("ffff ff9a0a 00"), ref position, 5));
        Assert.Equal(5, position);
    }

    [Theory]
    [InlineData("1f e1 ff ff ff 07", "exceeds")]     // 31 + 2^31 - 31 = 2^31
    [InlineData("1f ff ff ff ff 0f", "exceeds")]     // far past 2^31
    [InlineData("1f ff ff ff ff ff 01", "exceeds")]
    [InlineData("1f 80 80 80 80 80 00", "over-long")] // six continuation bytes
    [InlineData("1f 81 80 00", "over-long")]          // zero groups padding a small value
    [InlineData("1f 80 00", "over-long")]
    [InlineData("1f", "ends")]                         // continuation missing
    [InlineData("1f 80", "ends")]
    [InlineData("1f ff ff", "ends")]
    [InlineData("", "ends")]
    public void Malformed_integers_are_decoding_errors(string hex, string reason)
    {
        int position = 0;
        var error = Assert.Throws<HpackDecodingException>(() => HpackInteger.Decode(Hex(hex), ref position, 5));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void The_largest_value_in_the_fewest_bytes_is_accepted()
    {
        int position = 0;
        Assert.Equal(int.MaxValue, HpackInteger.Decode(Hex("1f e0 ff ff ff 07"), ref position, 5)); // 31 + 2^31 - 32
        position = 0;
        Assert.Equal(31, HpackInteger.Decode(Hex("1f 00"), ref position, 5)); // the one zero group an encoder writes
    }
}
