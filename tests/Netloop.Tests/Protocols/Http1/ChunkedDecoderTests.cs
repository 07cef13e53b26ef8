using Netloop.Protocols.Http1;
using static Netloop.Tests.Protocols.Http1.HeadHarness;

namespace Netloop.Tests.Protocols.Http1;

public class ChunkedDecoderTests
{
    internal sealed record Outcome(ChunkedStatus Status, RequestRejection Rejection, string Body, int Consumed, long BodyLength);

    /// <summary>
    /// Runs a decoder over <paramref name="input"/> as a transport would: at each arrival point it is offered the bytes
    /// it has not consumed yet, and called again after every data range.
    /// </summary>
    internal static Outcome Decode(byte[] input, IEnumerable<int> arrivals, HttpLimits? limits = null)
    {
        var decoder = new ChunkedDecoder(limits ?? new HttpLimits());
        var body = new List<byte>();
        int position = 0;
        foreach (int available in arrivals)
        {
            while (true)
            {
                var status = decoder.Decode(input.AsSpan(position, available - position), out int consumed, out int offset, out int length);
                if (status == ChunkedStatus.Data)
                {
                    Assert.True(length > 0);
                    Assert.Equal(offset + length, consumed);
                    body.AddRange(input.AsSpan(position + offset, length).ToArray());
                    position += consumed;
                    continue;
                }
                position += consumed;
                if (status == ChunkedStatus.NeedMoreData)
                {
                    Assert.Equal(available, position);
                    break;
                }
                return new Outcome(status, decoder.Rejection, Text(body.ToArray()), position, decoder.BodyLength);
            }
        }
        return new Outcome(ChunkedStatus.NeedMoreData, decoder.Rejection, Text(body.ToArray()), position, decoder.BodyLength);
    }

    internal static Outcome Whole(byte[] input, HttpLimits? limits = null) => Decode(input, [input.Length], limits);

    internal static Outcome ByteAtATime(byte[] input, HttpLimits? limits = null) => Decode(input, Enumerable.Range(1, input.Length), limits);

    internal static Outcome SplitAt(byte[] input, int split, HttpLimits? limits = null) => Decode(input, [split, input.Length], limits);

    private static readonly Dictionary<string, (string Encoded, string Body, string After)> Valid = new()
    {
        ["one chunk"] = ("5\r\nhello\r\n0\r\n\r\n", "hello", ""),
        ["several chunks"] = ("5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n", "hello world", ""),
        ["hex sizes in both cases"] = ("A\r\n0123456789\r\na\r\nabcdefghij\r\n1f\r\n" + new string('x', 31) + "\r\n0\r\n\r\n", "0123456789abcdefghij" + new string('x', 31), ""),
        ["leading zeros"] = ("0005\r\nhello\r\n000\r\n\r\n", "hello", ""),
        ["empty body"] = ("0\r\n\r\n", "", ""),
        ["extensions"] = ("5;name=value\r\nhello\r\n5 ; a = \"quoted \\\" str;,\" ; flag\r\nworld\r\n6\t;\tx\t=\ty;z\r\n, more\r\n0;last\r\n\r\n", "helloworld, more", ""),
        ["extension with obs-text"] = ("3;a=\"\u00E9\"\r\nabc\r\n0\r\n\r\n", "abc", ""),
        ["trailers"] = ("5\r\nhello\r\n0\r\nExpires: never\r\nX-Checksum:  abc \t\r\nX-Empty:\r\n\r\n", "hello", ""),
        ["chunk data holding CRLF"] = ("4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n", ""),
        ["pipelined request after"] = ("3\r\nabc\r\n0\r\n\r\n", "abc", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
    };

    public static TheoryData<string> ValidNames => new(Valid.Keys);

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Decodes_identically_whole_byte_at_a_time_and_at_every_split(string name)
    {
        var (encoded, body, after) = Valid[name];
        var input = Bytes(encoded + after);
        var expected = new Outcome(ChunkedStatus.Done, RequestRejection.None, body, Bytes(encoded).Length, Bytes(body).Length);
        Assert.Equal(expected, Whole(input));
        Assert.Equal(expected, ByteAtATime(input));
        for (int split = 0; split <= input.Length; split++) Assert.Equal(expected, SplitAt(input, split));
    }

    [Fact]
    public void Hands_out_large_chunks_in_place_in_as_few_ranges_as_the_input_allows()
    {
        var payload = new byte[100_000];
        new Random(42).NextBytes(payload);
        var input = Bytes($"{payload.Length:x}\r\n").Concat(payload).Concat(Bytes("\r\n0\r\n\r\n")).ToArray();
        var decoder = new ChunkedDecoder(new HttpLimits());

        Assert.Equal(ChunkedStatus.Data, decoder.Decode(input, out int consumed, out int offset, out int length));
        Assert.Equal(7, offset); // "186a0\r\n"
        Assert.Equal(payload.Length, length);
        Assert.True(input.AsSpan(offset, length).SequenceEqual(payload));
        Assert.Equal(ChunkedStatus.Done, decoder.Decode(input.AsSpan(consumed), out consumed, out _, out _));
        Assert.Equal(7, consumed);
        Assert.True(decoder.IsDone);
        Assert.Equal(payload.Length, decoder.BodyLength);

        // After Done and Reset it decodes the next body.
        Assert.Equal(ChunkedStatus.Done, decoder.Decode("x"u8, out consumed, out _, out _));
        Assert.Equal(0, consumed);
        decoder.Reset();
        Assert.Equal(ChunkedStatus.Data, decoder.Decode("1\r\nz"u8, out _, out _, out length));
        Assert.Equal(1, length);
    }

    [Theory]
    [InlineData("x\r\n")]
    [InlineData("\r\n")]
    [InlineData(" 5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("-5\r\n")]
    [InlineData("+5\r\n")]
    [InlineData("0x5\r\n")]
    [InlineData("5\nhello\r\n0\r\n\r\n")]
    [InlineData("5\rhello\r\n0\r\n\r\n")]
    [InlineData("5\r\nhelloX\r\n0\r\n\r\n")]
    [InlineData("5\r\nhello\n0\r\n\r\n")]
    [InlineData("5\r\nhello\r0\r\n\r\n")]
    [InlineData("5\r\nhello0\r\n\r\n")]
    [InlineData("5 \r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a \r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=b \r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a b\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=b=c\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=\"x\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=\"x\u0001\"\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=\"x\"y\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=\"\\\u0000\"\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=b\nhello\r\n0\r\n\r\n")]
    [InlineData("5;\u00E9\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5 5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("0\r\n\n")]
    [InlineData("0\r\n\rx")]
    [InlineData("0\n\r\n")]
    [InlineData("0\r\nX: a\nY: b\r\n\r\n")]
    [InlineData("0\r\nX: a\rY: b\r\n\r\n")]
    [InlineData("0\r\n X: a\r\n\r\n")]
    [InlineData("0\r\nX: a\r\n b\r\n\r\n")]
    [InlineData("0\r\nX : a\r\n\r\n")]
    [InlineData("0\r\n: a\r\n\r\n")]
    [InlineData("0\r\nX: a\u0000\r\n\r\n")]
    [InlineData("0\r\nX(: a\r\n\r\n")]
    [InlineData("0\r\nNoColon\r\n\r\n")]
    public void Invalid_chunked_data(string encoded) => AssertRejected(encoded, RequestRejection.InvalidChunkedData, 400);

    [Fact]
    public void Size_past_63_bits_is_400_with_or_without_a_body_limit()
    {
        var unlimited = new HttpLimits { MaxRequestBodySize = null };
        AssertRejected("8000000000000000\r\n", RequestRejection.ChunkSizeOverflow, 400, unlimited);
        AssertRejected("FFFFFFFFFFFFFFFFF\r\n", RequestRejection.ChunkSizeOverflow, 400, unlimited);
        // With a limit the size is still framing first: too large to count is 400, not 413.
        AssertRejected("8000000000000000\r\n", RequestRejection.ChunkSizeOverflow, 400);
        AssertRejected("FFFFFFFFFFFFFFFFFFFFFFFF;a=b\r\n", RequestRejection.ChunkSizeOverflow, 400);
        AssertRejected("5\r\nhello\r\n10000000000000000\r\n", RequestRejection.ChunkSizeOverflow, 400);
        AssertRejected("7FFFFFFFFFFFFFFF\r\n", RequestRejection.BodyTooLarge, 413);
        var largest = Whole(Bytes("7FFFFFFFFFFFFFFF\r\n"), unlimited);
        Assert.Equal(ChunkedStatus.NeedMoreData, largest.Status);
        // Leading zeros add nothing to the size.
        var zeros = Whole(Bytes("00000000000000000000000005\r\nhello\r\n0\r\n\r\n"));
        Assert.Equal((ChunkedStatus.Done, "hello"), (zeros.Status, zeros.Body));
    }

    [Theory]
    [InlineData("8000000000000000\r\n", 16)] // the 16th digit takes it past long.MaxValue
    [InlineData("7FFFFFFFFFFFFFFFF\r\n", 17)]
    [InlineData("5\r\nhello\r\nFFFFFFFFFFFFFFFFF\r\n", 26)]
    public void Overflow_is_refused_at_the_digit_that_overflows(string encoded, int decidedAt)
    {
        var outcome = ByteAtATime(Bytes(encoded));
        Assert.Equal(RequestRejection.ChunkSizeOverflow, outcome.Rejection);
        Assert.Equal(decidedAt, outcome.Consumed);
    }

    [Fact]
    public void Body_over_the_limit_is_413_as_soon_as_a_size_line_declares_it()
    {
        var limits = new HttpLimits { MaxRequestBodySize = 10 };
        Assert.Equal("helloworld", Whole(Bytes("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n"), limits).Body);
        AssertRejected("5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n", RequestRejection.BodyTooLarge, 413, limits);

        var outcome = ByteAtATime(Bytes("5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n"), limits);
        Assert.Equal(12, outcome.Consumed); // refused once the size "6" is complete, before any of that chunk's data
        Assert.Equal("hello", outcome.Body);

        AssertRejected("0000B\r\n", RequestRejection.BodyTooLarge, 413, limits);
        AssertRejected("10\r\n", RequestRejection.BodyTooLarge, 413, limits);
        Assert.Equal(RequestRejection.BodyTooLarge, Whole(Bytes("1c9c381\r\n")).Rejection); // 30,000,001: the default limit
    }

    [Fact]
    public void Size_line_over_the_limit_is_rejected()
    {
        var limits = new HttpLimits { MaxChunkExtensionLength = 16 };
        Assert.Equal(16, "5;abcdefghijkl\r\n".Length);
        Assert.Equal("hello", Whole(Bytes("5;abcdefghijkl\r\nhello\r\n0\r\n\r\n"), limits).Body);
        AssertRejected("5;abcdefghijklm\r\nhello\r\n0\r\n\r\n", RequestRejection.ChunkExtensionTooLong, 400, limits);
        AssertRejected(new string('0', 40) + "5\r\nhello\r\n0\r\n\r\n", RequestRejection.ChunkExtensionTooLong, 400, limits);
        // Each size line has its own budget.
        Assert.Equal("hellohello", Whole(Bytes("5;abcdefghijkl\r\nhello\r\n5;abcdefghijkl\r\nhello\r\n0;abcdefghijkl\r\n\r\n"), limits).Body);
        var endless = ByteAtATime(Bytes("5;" + new string('a', 1000)), limits);
        Assert.Equal(RequestRejection.ChunkExtensionTooLong, endless.Rejection);
        Assert.Equal(17, endless.Consumed);
    }

    [Fact]
    public void Trailer_section_over_the_limit_is_431()
    {
        var limits = new HttpLimits { MaxTrailerSize = 16 };
        Assert.Equal(ChunkedStatus.Done, Whole(Bytes("0\r\nX: 123456789\r\n\r\n"), limits).Status); // 14 + 2
        AssertRejected("0\r\nX: 1234567890\r\n\r\n", RequestRejection.TrailerTooLarge, 431, limits);
        var endless = ByteAtATime(Bytes("0\r\nX: " + new string('v', 1000)), limits);
        Assert.Equal(RequestRejection.TrailerTooLarge, endless.Rejection);
        Assert.Equal(3 + 17, endless.Consumed);
    }

    [Fact]
    public void A_rejected_decoder_stays_rejected()
    {
        var decoder = new ChunkedDecoder(new HttpLimits());
        Assert.Equal(ChunkedStatus.Rejected, decoder.Decode("z"u8, out int consumed, out _, out _));
        Assert.Equal(1, consumed);
        Assert.Equal(ChunkedStatus.Rejected, decoder.Decode("5\r\nhello"u8, out consumed, out _, out _));
        Assert.Equal(0, consumed);
        Assert.Equal(RequestRejection.InvalidChunkedData, decoder.Rejection);
        Assert.Equal(ChunkedStatus.Rejected, decoder.Decode(ReadOnlySpan<byte>.Empty, out _, out _, out _));
    }

    private static void AssertRejected(string encoded, RequestRejection expected, int status, HttpLimits? limits = null)
    {
        var input = Bytes(encoded);
        var whole = Whole(input, limits);
        Assert.Equal(ChunkedStatus.Rejected, whole.Status);
        Assert.Equal(expected, whole.Rejection);
        Assert.Equal(status, RequestRejections.StatusCode(expected));
        Assert.Equal(whole, ByteAtATime(input, limits));
        for (int split = 0; split <= input.Length; split++) Assert.Equal(whole, SplitAt(input, split, limits));
    }
}
