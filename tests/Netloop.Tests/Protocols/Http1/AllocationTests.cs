using Netloop.Protocols.Http1;

namespace Netloop.Tests.Protocols.Http1;

public class AllocationTests
{
    private static readonly byte[] Plaintext =
        "GET /plaintext HTTP/1.1\r\nHost: server\r\nAccept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\nConnection: keep-alive\r\n\r\n"u8.ToArray();

    private static readonly byte[] ChunkedPost =
        "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\nConnection: keep-alive, Upgrade\r\nContent-Type: text/plain\r\n\r\n5;ext=\"v\"\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n"u8.ToArray();

    [Fact]
    public void Parsing_and_decoding_allocate_nothing_after_warm_up()
    {
        var parser = new RequestHeadParser();
        var decoder = new ChunkedDecoder(new HttpLimits());
        long checksum = Run(parser, ref decoder, 1_000); // warm-up: JIT, statics, SearchValues

        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += Run(parser, ref decoder, 10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(11_000L * (Plaintext.Length + 5 + 7), checksum);
    }

    private static long Run(RequestHeadParser parser, ref ChunkedDecoder decoder, int iterations)
    {
        long checksum = 0;
        for (int i = 0; i < iterations; i++)
        {
            parser.Reset();
            if (parser.ParseHead(Plaintext) != HeadParseStatus.Complete) return -1;
            checksum += parser.HeadLength;
            if (!parser.KeepAlive || !parser.TryGetHeader(Plaintext, "accept"u8, out _)) return -1;

            // The same request one byte at a time, as the slowest transport would offer it.
            parser.Reset();
            var status = HeadParseStatus.Incomplete;
            for (int k = 1; k <= Plaintext.Length && status == HeadParseStatus.Incomplete; k++) status = parser.ParseHead(Plaintext.AsSpan(0, k));
            if (status != HeadParseStatus.Complete) return -1;

            parser.Reset();
            if (parser.ParseHead(ChunkedPost) != HeadParseStatus.Complete || !parser.IsChunked) return -1;
            var body = ChunkedPost.AsSpan(parser.HeadLength);
            decoder.Reset();
            ChunkedStatus chunk;
            while ((chunk = decoder.Decode(body, out int consumed, out _, out int length)) == ChunkedStatus.Data)
            {
                checksum += length;
                body = body[consumed..];
            }
            if (chunk != ChunkedStatus.Done) return -1;
            checksum += Http2Preface.Match(Plaintext) == PrefaceMatch.NotHttp2 ? 7 : 0;
        }
        return checksum;
    }
}
