using System.Buffers;
using Netloop.Protocols.Http2.Hpack;
using static Netloop.Tests.Protocols.Http2.Hpack.HpackTestSupport;

namespace Netloop.Tests.Protocols.Http2.Hpack;

/// <summary>After warm-up, decoding and encoding allocate nothing: tables and scratch buffers are reused.</summary>
public class HpackAllocationTests
{
    // Indexed fields, Huffman and raw literals, dynamic-table inserts that evict (the 256-byte C.6 sequence), repeated.
    private static readonly byte[][] Blocks =
    [
        Hex("4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3"),
        Hex("4883 640e ffc1 c0bf"),
        Hex("88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07"),
        Hex("4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"),
        Hex("0f2f 0568 656c 6c6f 1008 7061 7373 776f 7264 0673 6563 7265 74"),
    ];

    [Fact]
    public void Decoding_allocates_nothing_in_steady_state()
    {
        var decoder = new HpackDecoder(256, 16 * 1024);
        var sink = new CountingSink();
        Run(decoder, sink, 200);
        int fields = sink.Fields;

        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(decoder, sink, 5_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(fields / 200 * 5_200, sink.Fields);
    }

    private static void Run(HpackDecoder decoder, CountingSink sink, int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            foreach (var block in Blocks)
            {
                if (decoder.Decode(block, sink) != HpackDecodeResult.Ok) throw new InvalidOperationException();
            }
        }
    }

    [Fact]
    public void Encoding_strings_bytes_and_statuses_allocates_nothing_in_steady_state()
    {
        var encoder = new HpackEncoder();
        var output = new ArrayBufferWriter<byte>(4096);
        Encode(encoder, output, 200);
        int blockLength = output.WrittenCount;

        long before = GC.GetAllocatedBytesForCurrentThread();
        Encode(encoder, output, 5_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(blockLength, output.WrittenCount); // the same response, block after block
    }

    private static readonly string[] Dates = ["Fri, 04 Dec 2026 21:00:00 GMT", "Fri, 04 Dec 2026 21:00:01 GMT", "Fri, 04 Dec 2026 21:00:02 GMT"];

    private static void Encode(HpackEncoder encoder, ArrayBufferWriter<byte> output, int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            output.ResetWrittenCount();
            encoder.EncodeStatus(200, output);
            encoder.EncodeStatus(302, output);
            encoder.Encode("Date", Dates[i % 3], output, HpackIndexing.Incremental);
            encoder.Encode("Content-Type", "application/json; charset=utf-8", output, HpackIndexing.Incremental);
            encoder.Encode("Server", "Netloop", output, HpackIndexing.Incremental);
            encoder.Encode("X-Request-Id", "a3f9c2d1e4b5", output, HpackIndexing.Incremental); // churns the table
            encoder.Encode("content-length"u8, "1234"u8, output);
            encoder.Encode("set-cookie", "session=abc; HttpOnly", output, HpackIndexing.NeverIndexed);
        }
    }
}
