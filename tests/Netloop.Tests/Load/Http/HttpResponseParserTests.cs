using System.Text;
using Netloop.Load.Http;

namespace Netloop.Tests.Load.Http;

public sealed class HttpResponseParserTests
{
    private readonly record struct Parsed(int Status, long BodyBytes, bool Close);

    /// <summary>
    /// Feeds <paramref name="wire"/> to one parser in the given pieces the way the transport does (unconsumed bytes are
    /// offered again ahead of the next piece) and returns the responses, and the defect if it ended malformed.
    /// </summary>
    private static (List<Parsed> Responses, ResponseDefect Defect) Feed(byte[] wire, IEnumerable<int> cuts, bool head = false, bool endOfInput = false)
    {
        var parser = new HttpResponseParser();
        parser.Reset(head);
        var responses = new List<Parsed>();
        byte[] pending = [];
        int from = 0;
        foreach (int cut in cuts.Append(wire.Length))
        {
            if (cut < from) continue;
            byte[] data = [.. pending, .. wire.AsSpan(from, cut - from)];
            from = cut;
            int offset = 0;
            while (true)
            {
                var status = parser.Parse(data.AsSpan(offset), out int consumed);
                Assert.InRange(consumed, 0, data.Length - offset);
                offset += consumed;
                if (status == ResponseParseStatus.Malformed) return (responses, parser.Defect);
                if (status == ResponseParseStatus.NeedMore) break;
                responses.Add(new Parsed(parser.StatusCode, parser.BodyBytes, parser.ConnectionClose));
                parser.Reset(head);
            }
            pending = data[offset..];
        }
        if (endOfInput)
        {
            var status = parser.CompleteAtEndOfInput();
            if (status == ResponseParseStatus.Complete) responses.Add(new Parsed(parser.StatusCode, parser.BodyBytes, parser.ConnectionClose));
            if (status == ResponseParseStatus.Malformed) return (responses, parser.Defect);
        }
        return (responses, ResponseDefect.None);
    }

    private static byte[] Wire(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>Every way of cutting the bytes in two, plus byte by byte.</summary>
    private static IEnumerable<int[]> Splits(int length)
    {
        for (int i = 0; i <= length; i++) yield return [i];
        yield return Enumerable.Range(1, length).ToArray();
    }

    private static void AssertSameInEverySplit(string text, Parsed[] expected, bool head = false, bool endOfInput = false)
    {
        var wire = Wire(text);
        foreach (var cuts in Splits(wire.Length))
        {
            var (responses, defect) = Feed(wire, cuts, head, endOfInput);
            Assert.Equal(ResponseDefect.None, defect);
            Assert.Equal(expected, responses);
        }
    }

    private const string Plaintext = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\nDate: Mon, 23 Nov 2026 18:00:00 GMT\r\n\r\nHello, World!";

    [Fact]
    public void Content_length_response_in_every_split()
    {
        AssertSameInEverySplit(Plaintext, [new(200, 13, false)]);
    }

    [Fact]
    public void Three_pipelined_responses_back_to_back_in_every_split()
    {
        string text = Plaintext + "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n" + Plaintext;
        AssertSameInEverySplit(text, [new(200, 13, false), new(404, 0, false), new(200, 13, false)]);
    }

    [Fact]
    public void Chunked_body_with_extensions_and_trailers_in_every_split()
    {
        string text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nHello\r\n"
            + "8;name=value\r\n, World!\r\n"
            + "A ; x\r\n0123456789\r\n"
            + "0\r\nTrailer-One: 1\r\nTrailer-Two: 2\r\n\r\n"
            + "HTTP/1.1 204 No Content\r\n\r\n";
        AssertSameInEverySplit(text, [new(200, 23, false), new(204, 0, false)]);
    }

    [Fact]
    public void Transfer_encoding_wins_over_content_length()
    {
        AssertSameInEverySplit("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", [new(200, 3, false)]);
    }

    [Fact]
    public void Connection_close_is_seen_among_other_options()
    {
        AssertSameInEverySplit("HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\nContent-Length: 2\r\n\r\nok", [new(200, 2, true)]);
        AssertSameInEverySplit("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", [new(200, 2, false)]);
    }

    [Fact]
    public void Http10_closes_unless_it_says_keep_alive()
    {
        AssertSameInEverySplit("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", [new(200, 2, true)]);
        AssertSameInEverySplit("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", [new(200, 2, false)]);
    }

    [Fact]
    public void A_body_without_framing_runs_to_the_close()
    {
        AssertSameInEverySplit("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this until the end", [new(200, 25, true)], endOfInput: true);
    }

    [Fact]
    public void Head_204_and_304_responses_have_no_body_whatever_the_headers_say()
    {
        AssertSameInEverySplit("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n" + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", [new(200, 0, false), new(200, 0, false)], head: true);
        AssertSameInEverySplit("HTTP/1.1 304 Not Modified\r\nContent-Length: 13\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", [new(304, 0, false), new(204, 0, false)]);
    }

    [Fact]
    public void Interim_responses_are_skipped()
    {
        AssertSameInEverySplit("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + Plaintext, [new(200, 13, false)]);
    }

    [Fact]
    public void A_status_line_without_a_reason_phrase_is_accepted()
    {
        AssertSameInEverySplit("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\nHTTP/1.1 500 \r\nContent-Length: 0\r\n\r\n", [new(200, 0, false), new(500, 0, false)]);
    }

    [Fact]
    public void Repeated_equal_content_lengths_are_accepted()
    {
        AssertSameInEverySplit("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", [new(200, 2, false)]);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", nameof(ResponseDefect.LineEnding))]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n", nameof(ResponseDefect.LineEnding))]
    [InlineData("HTTP/1.1 200 O\rK\r\nContent-Length: 0\r\n\r\n", nameof(ResponseDefect.LineEnding))]
    [InlineData("HTTP/2 200 OK\r\n\r\n", nameof(ResponseDefect.StatusLine))]
    [InlineData("HTTP/1.2 200 OK\r\n\r\n", nameof(ResponseDefect.StatusLine))]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n", nameof(ResponseDefect.StatusLine))]
    [InlineData("HTTP/1.1 099 OK\r\n\r\n", nameof(ResponseDefect.StatusLine))]
    [InlineData("HTTP/1.1 2x0 OK\r\n\r\n", nameof(ResponseDefect.StatusLine))]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n", nameof(ResponseDefect.StatusLine))]
    [InlineData("SSH-2.0-OpenSSH\r\n", nameof(ResponseDefect.StatusLine))]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\n\r\n", nameof(ResponseDefect.UnsupportedStatus))]
    [InlineData("HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", nameof(ResponseDefect.HeaderField))]
    [InlineData("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", nameof(ResponseDefect.HeaderField))]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", nameof(ResponseDefect.HeaderField))]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", nameof(ResponseDefect.HeaderField))]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", nameof(ResponseDefect.ContentLength))]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", nameof(ResponseDefect.ContentLength))]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", nameof(ResponseDefect.ContentLength))]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", nameof(ResponseDefect.ContentLength))]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999\r\n\r\n", nameof(ResponseDefect.ContentLength))]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", nameof(ResponseDefect.ChunkFraming))]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", nameof(ResponseDefect.ChunkFraming))]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\n", nameof(ResponseDefect.ChunkFraming))]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n", nameof(ResponseDefect.ChunkFraming))]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", nameof(ResponseDefect.ChunkFraming))]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n", nameof(ResponseDefect.HeaderField))]
    public void Malformed_responses_are_rejected_with_the_reason_in_every_split(string text, string reason)
    {
        var expected = Enum.Parse<ResponseDefect>(reason);
        var wire = Wire(text);
        foreach (var cuts in Splits(wire.Length))
        {
            var (_, defect) = Feed(wire, cuts);
            Assert.Equal(expected, defect);
        }
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_rejected_even_before_its_end_arrives()
    {
        var wire = Wire("HTTP/1.1 200 OK\r\nX-Long: " + new string('a', HttpResponseParser.MaxLineLength + 10));
        var (_, defect) = Feed(wire, []);
        Assert.Equal(ResponseDefect.LineTooLong, defect);
    }

    [Fact]
    public void Too_many_header_lines_are_rejected()
    {
        var text = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i <= HttpResponseParser.MaxHeaderLines; i++) text.Append("X-H: v\r\n");
        var (_, defect) = Feed(Wire(text.Append("\r\n").ToString()), []);
        Assert.Equal(ResponseDefect.TooManyHeaders, defect);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-")]
    [InlineData("H")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHel")]
    public void A_close_inside_a_response_is_truncation(string text)
    {
        var (responses, defect) = Feed(Wire(text), [], endOfInput: true);
        Assert.Empty(responses);
        Assert.Equal(ResponseDefect.Truncated, defect);
    }

    [Fact]
    public void A_close_between_responses_is_not_a_response()
    {
        var parser = new HttpResponseParser();
        parser.Reset();
        Assert.Equal(ResponseParseStatus.NeedMore, parser.CompleteAtEndOfInput());
    }

    [Fact]
    public void Parsing_allocates_nothing()
    {
        var wire = Wire(Plaintext + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n5\r\nHello\r\n0\r\n\r\n");
        var parser = new HttpResponseParser();
        int complete = ParseAll(parser, wire);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) complete += ParseAll(parser, wire);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(2 * 10_001, complete);

        static int ParseAll(HttpResponseParser parser, byte[] wire)
        {
            int complete = 0;
            parser.Reset();
            var data = wire.AsSpan();
            while (!data.IsEmpty)
            {
                if (parser.Parse(data, out int consumed) == ResponseParseStatus.Complete) complete++;
                data = data[consumed..];
                parser.Reset();
            }
            return complete;
        }
    }
}
