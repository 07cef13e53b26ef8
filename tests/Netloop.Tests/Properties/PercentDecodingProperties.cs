using System.Text;
using CsCheck;
using Netloop.Http.Routing;
using static Netloop.Tests.Properties.PropertyBounds;

namespace Netloop.Tests.Properties;

/// <summary>
/// <see cref="PercentEncoding"/>: any bytes percent-encoded (any subset, either hex case) decode back strictly and
/// leniently; random input never throws, never grows, and decodes leniently to the strict result when that succeeds.
/// </summary>
public class PercentDecodingProperties
{
    private static byte[] Encode(byte[] raw, bool[] escape, bool upper)
    {
        var encoded = new List<byte>();
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] == (byte)'%' || escape[i % escape.Length]) encoded.AddRange(Encoding.ASCII.GetBytes("%" + raw[i].ToString(upper ? "X2" : "x2", System.Globalization.CultureInfo.InvariantCulture)));
            else encoded.Add(raw[i]);
        }
        return [.. encoded];
    }

    [Fact]
    public void Encoded_bytes_decode_back()
    {
        Gen.Select(Gen.Byte.Array[0, 100], Gen.Bool.Array[1, 20], Gen.Bool).Sample((raw, escape, upper) =>
        {
            byte[] encoded = Encode(raw, escape, upper);
            var strict = new byte[encoded.Length];
            Assert.True(PercentEncoding.TryDecode(encoded, strict, out int written), Show(encoded));
            Assert.Equal(raw, strict[..written]);
            var lenient = new byte[encoded.Length];
            Assert.Equal(raw, lenient[..PercentEncoding.DecodeLenient(encoded, lenient)]);
        }, time: Seconds, threads: Threads);
    }

    [Fact]
    public void Utf8_text_percent_encoded_decodes_to_the_text()
    {
        Gen.Select(Gen.String, Gen.Bool.Array[1, 20]).Sample((text, escape) =>
        {
            byte[] raw = Encoding.UTF8.GetBytes(text);
            Assert.Equal(Encoding.UTF8.GetString(raw), PercentEncoding.DecodeToString(Encode(raw, escape, upper: true)));
        }, time: 1, threads: Threads);
    }

    [Fact]
    public void Random_input_never_throws_or_grows_and_both_decoders_agree_when_it_is_valid()
    {
        Gen.Frequency((1, Gen.Byte), (2, Gen.OneOf("%%%0aFgz/+"u8.ToArray()))).Array[0, 60].Sample(input =>
        {
            var strict = new byte[input.Length];
            bool valid = PercentEncoding.TryDecode(input, strict, out int written);
            var lenient = new byte[input.Length];
            int length = PercentEncoding.DecodeLenient(input, lenient);
            Assert.InRange(length, 0, input.Length);
            if (valid) Assert.Equal(strict[..written], lenient[..length]);
            if (!input.AsSpan().Contains((byte)'%')) Assert.Equal(input, lenient[..length]);
            _ = PercentEncoding.DecodeToString(input);
        }, time: 1, threads: Threads);
    }
}
