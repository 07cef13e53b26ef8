using System.Globalization;
using System.Text;
using CsCheck;
using Netloop.Protocols.Http1;
using Netloop.Tests.Protocols.Http1;
using static Netloop.Tests.Properties.PropertyBounds;

namespace Netloop.Tests.Properties;

/// <summary>A generated chunked body: its payload, and its encoding.</summary>
internal sealed record GeneratedChunked(string Payload, string Encoded)
{
    public byte[] Bytes => Encoding.Latin1.GetBytes(Encoded);

    public override string ToString() => Show(Bytes);
}

/// <summary>
/// <see cref="ChunkedDecoder"/>: random chunked bodies (sizes in either case with leading zeros, extensions, trailers)
/// decode to their payload however they arrive; mutated ones never throw and get one verdict however they arrive.
/// </summary>
public class ChunkedDecoderProperties
{
    private const string TokenChars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private static readonly Gen<string> Tokens = Gen.Char[TokenChars].Array[1, 8].Select(c => new string(c));

    private static readonly Gen<string> Extensions = Gen.Frequency(
        (3, Gen.Const("")),
        (1, Tokens.Select(name => ";" + name)),
        (1, Gen.Select(Tokens, Tokens, (name, value) => $" ; {name}={value}")),
        (1, Gen.Select(Tokens, Gen.Char[" !#-[]-~\t"].Array[0, 10], (name, value) => $";{name}=\"{new string(value)}\"")));

    private static readonly Gen<(string Data, bool Upper, int Zeros, string Extension)> Chunks = Gen.Select(
        Gen.Char['\0', '\u00FF'].Array[1, 300].Select(c => new string(c)), Gen.Bool, Gen.Int[0, 3], Extensions);

    private static readonly Gen<string> Trailers = Gen.Select(Tokens, Gen.Char['!', '~'].Array[0, 20], (name, value) => $"X-{name}: {new string(value)}\r\n");

    internal static readonly Gen<GeneratedChunked> Bodies = Gen.Select(Chunks.Array[0, 8], Extensions, Trailers.Array[0, 3], (chunks, lastExtension, trailers) =>
    {
        var encoded = new StringBuilder();
        foreach (var (data, upper, zeros, extension) in chunks)
        {
            encoded.Append('0', zeros).Append(data.Length.ToString(upper ? "X" : "x", CultureInfo.InvariantCulture))
                .Append(extension).Append("\r\n").Append(data).Append("\r\n");
        }
        encoded.Append('0').Append(lastExtension).Append("\r\n");
        foreach (string trailer in trailers) encoded.Append(trailer);
        encoded.Append("\r\n");
        return new GeneratedChunked(string.Concat(chunks.Select(c => c.Data)), encoded.ToString());
    });

    [Fact]
    public void Random_chunked_bodies_decode_to_their_payload_however_they_arrive()
    {
        Gen.Select(Bodies, Cuts).Sample((body, cuts) =>
        {
            byte[] input = body.Bytes;
            var expected = new ChunkedDecoderTests.Outcome(ChunkedStatus.Done, RequestRejection.None, body.Payload, input.Length, body.Payload.Length);
            Assert.Equal(expected, ChunkedDecoderTests.Whole(input));
            Assert.Equal(expected, ChunkedDecoderTests.Decode(input, Arrivals(input.Length, cuts)));
        }, time: Seconds, threads: Threads);
    }

    private static readonly Gen<HttpLimits> Limits = Gen.Select(Gen.Int[0, 400], Gen.Int[3, 40], Gen.Int[2, 60],
        (body, extension, trailer) => new HttpLimits { MaxRequestBodySize = body, MaxChunkExtensionLength = extension, MaxTrailerSize = trailer });

    [Fact]
    public void Mutated_chunked_bodies_never_throw_and_get_one_verdict_however_they_arrive()
    {
        Gen.Select(Bodies, Mutations, Cuts, Gen.Frequency((1, Gen.Const(() => new HttpLimits())), (1, Limits)))
            .Sample((body, mutations, cuts, limits) =>
            {
                byte[] input = Apply(body.Bytes, mutations);
                var whole = ChunkedDecoderTests.Whole(input, limits);
                Assert.True(whole.Status is ChunkedStatus.Done or ChunkedStatus.NeedMoreData or ChunkedStatus.Rejected, $"status {whole.Status}");
                Assert.Equal(whole.Status == ChunkedStatus.Rejected, whole.Rejection != RequestRejection.None);
                Assert.Equal(whole, ChunkedDecoderTests.Decode(input, Arrivals(input.Length, cuts), limits));
            }, time: Seconds, threads: Threads);
    }
}
