using System.Text;
using Netloop.Http.StaticFiles;

namespace Netloop.Tests.Http.StaticFiles;

public class ByteRangesTests
{
    private const string ETag = "\"3e8-8dc2f5e1a3b4c5d\"";
    private static readonly DateTimeOffset Modified = new(1994, 11, 6, 8, 49, 37, TimeSpan.Zero);

    private static RangeResult Parse(string range, long length = 1000, string ifRange = "") =>
        ByteRanges.ParseRange(Encoding.ASCII.GetBytes(range), length, Encoding.ASCII.GetBytes(ifRange), Encoding.ASCII.GetBytes(ETag), Modified);

    [Theory]
    [InlineData("bytes=0-99", 0, 100)]
    [InlineData("bytes=0-0", 0, 1)]
    [InlineData("bytes=100-", 100, 900)]
    [InlineData("bytes=999-", 999, 1)]
    [InlineData("bytes=-500", 500, 500)]
    [InlineData("bytes=-1", 999, 1)]
    [InlineData("bytes=-1000", 0, 1000)]
    [InlineData("bytes=-5000", 0, 1000)]
    [InlineData("bytes=500-5000", 500, 500)]
    [InlineData("bytes=0-999", 0, 1000)]
    [InlineData("bytes=0-99999999999999999999999", 0, 1000)]
    [InlineData("bytes=998-999", 998, 2)]
    [InlineData("Bytes=10-19", 10, 10)]
    [InlineData("BYTES=10-19", 10, 10)]
    [InlineData(" bytes=10-19 ", 10, 10)]
    [InlineData("bytes= 10-19", 10, 10)]
    [InlineData("bytes=10-19,", 10, 10)]
    [InlineData("bytes=,10-19", 10, 10)]
    [InlineData("bytes=0010-0019", 10, 10)]
    public void A_single_satisfiable_range_is_partial(string range, long offset, long length)
    {
        RangeResult result = Parse(range);
        Assert.Equal(RangeResultKind.Partial, result.Kind);
        Assert.Equal(offset, result.Offset);
        Assert.Equal(length, result.Length);
        Assert.Equal(offset + length - 1, result.Last);
    }

    [Theory]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=1000-1000")]
    [InlineData("bytes=5000-6000")]
    [InlineData("bytes=99999999999999999999999-")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=-000")]
    public void A_range_past_the_end_or_an_empty_suffix_is_unsatisfiable(string range)
    {
        Assert.Equal(RangeResult.Unsatisfiable, Parse(range));
    }

    [Theory]
    [InlineData("bytes=0-0")]
    [InlineData("bytes=0-")]
    [InlineData("bytes=-1")]
    [InlineData("bytes=-100")]
    public void Any_valid_range_of_a_zero_length_file_is_unsatisfiable(string range)
    {
        Assert.Equal(RangeResultKind.Unsatisfiable, Parse(range, length: 0).Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bytes=")]
    [InlineData("bytes=,")]
    [InlineData("bytes")]
    [InlineData("bytes 0-99")]
    [InlineData("bytes=abc")]
    [InlineData("bytes=-")]
    [InlineData("bytes=100-99")]
    [InlineData("bytes=5-a")]
    [InlineData("bytes=a-5")]
    [InlineData("bytes=+5-10")]
    [InlineData("bytes=-+5")]
    [InlineData("bytes=--5")]
    [InlineData("bytes=5--10")]
    [InlineData("bytes=1 - 2")]
    [InlineData("bytes=1.5-2")]
    [InlineData("bytes=0x10-0x20")]
    [InlineData("items=0-99")]
    [InlineData("bytesx=0-99")]
    [InlineData("=0-99")]
    [InlineData("bytes=0-99,200-299")]
    [InlineData("bytes=0-0,-1")]
    [InlineData("bytes=5000-6000,7000-8000")]
    [InlineData("bytes=0-99, 100-")]
    [InlineData("bytes=100-99,0-1")]
    public void Invalid_syntax_other_units_and_multiple_ranges_serve_the_full_file(string range)
    {
        Assert.Equal(RangeResult.Full, Parse(range));
        Assert.Equal(RangeResultKind.Full, Parse(range).Kind);
    }

    [Theory]
    [InlineData(ETag, RangeResultKind.Partial)]
    [InlineData(" " + ETag + " ", RangeResultKind.Partial)]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT", RangeResultKind.Partial)]
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT", RangeResultKind.Partial)]
    [InlineData("\"other\"", RangeResultKind.Full)]
    [InlineData("W/" + ETag, RangeResultKind.Full)]
    [InlineData(ETag + ", \"other\"", RangeResultKind.Full)]
    [InlineData("Mon, 07 Nov 1994 08:49:37 GMT", RangeResultKind.Full)]
    [InlineData("Sat, 05 Nov 1994 08:49:37 GMT", RangeResultKind.Full)]
    [InlineData("garbage", RangeResultKind.Full)]
    [InlineData("\"unterminated", RangeResultKind.Full)]
    public void If_range_applies_the_range_only_to_the_same_representation(string ifRange, object expectedValue)
    {
        // xunit theories are public: the internal enum arrives boxed.
        var expected = (RangeResultKind)expectedValue;
        Assert.Equal(expected, Parse("bytes=0-9", ifRange: ifRange).Kind);
    }

    [Fact]
    public void If_range_does_not_turn_an_invalid_range_into_anything()
    {
        Assert.Equal(RangeResult.Full, Parse("", ifRange: ETag));
        Assert.Equal(RangeResult.Unsatisfiable, Parse("bytes=2000-", ifRange: ETag));
        Assert.Equal(RangeResult.Full, Parse("bytes=2000-", ifRange: "\"other\""));
    }

    [Fact]
    public void Content_range_values_are_formatted_per_rfc_9110_14_4()
    {
        Assert.Equal("bytes 0-99/1000", ByteRanges.FormatContentRange(Parse("bytes=0-99"), 1000));
        Assert.Equal("bytes 500-999/1000", ByteRanges.FormatContentRange(Parse("bytes=-500"), 1000));
        Assert.Equal("bytes */1000", ByteRanges.FormatContentRange(RangeResult.Unsatisfiable, 1000));
        Assert.Equal("bytes */0", ByteRanges.FormatContentRange(Parse("bytes=0-", length: 0), 0));
        Assert.Equal(
            $"bytes {long.MaxValue - 1}-{long.MaxValue - 1}/{long.MaxValue}",
            ByteRanges.FormatContentRange(RangeResult.Partial(long.MaxValue - 1, 1), long.MaxValue));
        Assert.Throws<ArgumentException>(() => ByteRanges.FormatContentRange(RangeResult.Full, 1000));
    }

    [Fact]
    public void Content_range_bytes_can_be_written_without_allocating()
    {
        Span<byte> buffer = stackalloc byte[ByteRanges.MaxContentRangeLength];
        Assert.True(ByteRanges.TryFormatContentRange(RangeResult.Partial(100, 50), 1234, buffer, out int written));
        Assert.Equal("bytes 100-149/1234", Encoding.ASCII.GetString(buffer[..written]));
        Assert.False(ByteRanges.TryFormatContentRange(RangeResult.Partial(100, 50), 1234, buffer[..10], out _));
        Assert.False(ByteRanges.TryFormatContentRange(RangeResult.Unsatisfiable, 1234, buffer[..7], out _));
        Assert.False(ByteRanges.TryFormatContentRange(RangeResult.Full, 1234, buffer, out _));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            RangeResult r = ByteRanges.ParseRange("bytes=100-"u8, 1234, default, default, default);
            ByteRanges.TryFormatContentRange(r, 1234, buffer, out _);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Partial_results_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RangeResult.Partial(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RangeResult.Partial(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ByteRanges.ParseRange("bytes=0-1"u8, -1, default, default, default));
    }
}
