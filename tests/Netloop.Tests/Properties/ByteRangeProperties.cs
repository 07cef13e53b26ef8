using System.Text;
using CsCheck;
using Netloop.Http.StaticFiles;
using static Netloop.Tests.Properties.PropertyBounds;

namespace Netloop.Tests.Properties;

/// <summary>
/// The Range parser (<see cref="ByteRanges"/>): random single ranges give the RFC 9110 §14.1.2 answer for a random
/// file length, and their Content-Range reads back as the range; random bytes never throw and give a range inside
/// the file.
/// </summary>
public class ByteRangeProperties
{
    private const string ETag = "\"abc\"";
    private static readonly DateTimeOffset Modified = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static RangeResult Parse(string range, long length, string ifRange = "") =>
        ByteRanges.ParseRange(Encoding.ASCII.GetBytes(range), length, Encoding.ASCII.GetBytes(ifRange), Encoding.ASCII.GetBytes(ETag), Modified);

    private static readonly Gen<long> Lengths = Gen.Frequency((3, Gen.Long[0, 5000]), (1, Gen.Long[0, long.MaxValue]));

    private static readonly Gen<long> Positions = Gen.Frequency((3, Gen.Long[0, 6000]), (1, Gen.Long[0, long.MaxValue]));

    private static readonly Gen<string> Ows = Gen.OneOf("", " ", "\t ");

    [Fact]
    public void Random_first_last_ranges_give_the_specified_answer_and_read_back()
    {
        Gen.Select(Lengths, Positions, Positions, Gen.Bool, Gen.Int[0, 2], Ows).Sample((length, a, b, open, zeros, ows) =>
        {
            long first = Math.Min(a, b), last = Math.Max(a, b);
            string spec = $"{ows}bytes={new string('0', zeros)}{first}-{(open ? "" : last.ToString(System.Globalization.CultureInfo.InvariantCulture))}{ows}";
            RangeResult result = Parse(spec, length);
            if (first >= length)
            {
                Assert.Equal(RangeResult.Unsatisfiable, result);
                Assert.Equal($"bytes */{length}", ByteRanges.FormatContentRange(result, length));
                return;
            }
            long end = open ? length - 1 : Math.Min(last, length - 1);
            Assert.Equal(RangeResultKind.Partial, result.Kind);
            Assert.Equal(first, result.Offset);
            Assert.Equal(end, result.Last);
            Assert.Equal($"bytes {first}-{end}/{length}", ByteRanges.FormatContentRange(result, length));
        }, time: Seconds, threads: Threads);
    }

    [Fact]
    public void Random_suffix_ranges_give_the_last_bytes()
    {
        Gen.Select(Lengths, Positions).Sample((length, suffix) =>
        {
            RangeResult result = Parse($"bytes=-{suffix}", length);
            if (suffix == 0 || length == 0)
            {
                Assert.Equal(RangeResult.Unsatisfiable, result);
                return;
            }
            Assert.Equal(RangeResultKind.Partial, result.Kind);
            Assert.Equal(Math.Min(suffix, length), result.Length);
            Assert.Equal(length - 1, result.Last);
        }, time: 1, threads: Threads);
    }

    [Fact]
    public void Random_bytes_never_throw_and_any_partial_range_lies_inside_the_file()
    {
        var text = Gen.Frequency((1, Gen.Byte), (3, Gen.OneOf("bytes=-,0123456789 \t"u8.ToArray()))).Array[0, 40];
        var ifRange = Gen.Frequency((4, Gen.Const(Array.Empty<byte>())), (1, Gen.OneOf(Encoding.ASCII.GetBytes(ETag), "W/\"abc\""u8.ToArray(), "Fri, 02 Jan 2026 03:04:05 GMT"u8.ToArray())), (1, Gen.Byte.Array[0, 30]));
        Gen.Select(text, Lengths, ifRange).Sample((range, length, condition) =>
        {
            RangeResult result = ByteRanges.ParseRange(range, length, condition, Encoding.ASCII.GetBytes(ETag), Modified);
            Assert.True(Enum.IsDefined(result.Kind));
            if (result.Kind != RangeResultKind.Partial) return;
            Assert.InRange(result.Offset, 0, length - 1);
            Assert.InRange(result.Length, 1, length - result.Offset);
            Span<byte> buffer = stackalloc byte[ByteRanges.MaxContentRangeLength];
            Assert.True(ByteRanges.TryFormatContentRange(result, length, buffer, out _));
        }, time: Seconds, threads: Threads);
    }
}
