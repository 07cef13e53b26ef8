using System.Globalization;
using System.Text;
using Netloop.Protocols.Http1;
using static Netloop.Tests.Protocols.Http1.HeadHarness;

namespace Netloop.Tests.Protocols.Http1;

/// <summary>Seeded random inputs: valid ones must round-trip, and any input must get one verdict however it arrives.</summary>
public class ParserPropertyTests
{
    private const string TokenChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string PathChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/%";
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "PROPFIND", "M-SEARCH"];

    private static readonly string[] FramingFields =
    [
        "",
        "Content-Length: 5\r\n",
        "Content-Length: 5, 5\r\nContent-Length: 5\r\n",
        "Transfer-Encoding: chunked\r\n",
        "Transfer-Encoding: gzip, chunked\r\n",
        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
        "Connection: close\r\nExpect: 100-continue\r\n",
        "Host: other\r\n",
    ];

    private static string RandomString(Random random, string alphabet, int min, int max)
    {
        var chars = new char[random.Next(min, max + 1)];
        for (int i = 0; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
        return new string(chars);
    }

    private static string RandomValue(Random random)
    {
        var value = new StringBuilder();
        int length = random.Next(0, 40);
        for (int i = 0; i < length; i++)
        {
            int pick = random.Next(20);
            value.Append(pick switch
            {
                0 => ' ',
                1 => '\t',
                2 => (char)random.Next(0x80, 0x100),
                _ => (char)random.Next(0x21, 0x7F),
            });
        }
        return value.ToString().Trim(' ', '\t');
    }

    private static (string Request, string Path, string Query, List<string> Headers) RandomRequest(Random random)
    {
        string path = "/" + RandomString(random, PathChars, 0, 30);
        string query = random.Next(2) == 0 ? "" : RandomString(random, PathChars + "?", 0, 30);
        string target = query.Length == 0 ? path : path + "?" + query;
        var headers = new List<string> { "Host: example.com" };
        int count = random.Next(0, 30);
        for (int i = 0; i < count; i++) headers.Add("X-" + RandomString(random, TokenChars, 1, 20) + ": " + RandomValue(random));
        var request = new StringBuilder();
        for (int i = random.Next(0, 3); i > 0; i--) request.Append("\r\n");
        request.Append(Methods[random.Next(Methods.Length)]).Append(' ').Append(target).Append(" HTTP/1.1\r\n");
        foreach (var header in headers)
        {
            int colon = header.IndexOf(':', StringComparison.Ordinal);
            string ows = random.Next(3) switch { 0 => "", 1 => " ", _ => " \t " };
            request.Append(header.AsSpan(0, colon)).Append(':').Append(ows).Append(header.AsSpan(colon + 2)).Append(ows).Append("\r\n");
        }
        request.Append("\r\n");
        return (request.ToString(), path, query, headers);
    }

    [Fact]
    public void Random_valid_requests_round_trip_however_they_arrive()
    {
        var random = new Random(20240601);
        for (int n = 0; n < 500; n++)
        {
            var (request, path, query, headers) = RandomRequest(random);
            var data = Bytes(request);
            var whole = Whole(data);
            Assert.Equal(HeadParseStatus.Complete, whole.Status);
            Assert.Equal(data.Length, whole.HeadLength);
            Assert.Equal(path, whole.Path);
            Assert.Equal(query, whole.Query);
            Assert.Equal(string.Concat(headers.Select(h => h + "\n")), whole.Headers);
            Assert.Equal(whole, RandomArrivals(data, random));
            Assert.Equal(whole, Split(data, random.Next(data.Length + 1)).Snapshot);
        }
    }

    [Fact]
    public void Mutated_requests_get_the_same_verdict_whole_and_byte_at_a_time()
    {
        var random = new Random(1234);
        byte[] interesting = "\r\n :\t\0\u007f,;\"/?#*@[]\u00e9"u8.ToArray();
        var outcomes = new Dictionary<HeadParseStatus, int>();
        for (int n = 0; n < 3000; n++)
        {
            string request = RandomRequest(random).Request;
            string extra = FramingFields[random.Next(FramingFields.Length)];
            request = request[..^2] + extra + "\r\n";
            if (random.Next(4) == 0) request = request[..random.Next(request.Length)];
            var data = new List<byte>(Bytes(request));
            int mutations = random.Next(1, 4);
            for (int m = 0; m < mutations && data.Count > 0; m++)
            {
                int at = random.Next(data.Count);
                byte b = random.Next(3) == 0 ? (byte)random.Next(256) : interesting[random.Next(interesting.Length)];
                switch (random.Next(3))
                {
                    case 0: data[at] = b; break;
                    case 1: data.Insert(at, b); break;
                    default: data.RemoveAt(at); break;
                }
            }
            var bytes = data.ToArray();
            var limits = new HttpLimits { MaxRequestLineSize = random.Next(20, 400), MaxRequestHeadersTotalSize = random.Next(20, 4000), MaxRequestHeaderCount = random.Next(1, 60) };
            var whole = Whole(bytes, limits);
            var (incremental, _) = ByteAtATime(bytes, limits);
            Assert.Equal(whole, incremental);
            Assert.Equal(whole, RandomArrivals(bytes, random, limits));
            outcomes[whole.Status] = outcomes.GetValueOrDefault(whole.Status) + 1;
        }
        // The mutations must exercise every verdict, or the test proves little.
        Assert.True(outcomes.GetValueOrDefault(HeadParseStatus.Rejected) > 200, $"rejected {outcomes.GetValueOrDefault(HeadParseStatus.Rejected)}");
        Assert.True(outcomes.GetValueOrDefault(HeadParseStatus.Complete) > 200, $"complete {outcomes.GetValueOrDefault(HeadParseStatus.Complete)}");
        Assert.True(outcomes.GetValueOrDefault(HeadParseStatus.Incomplete) > 200, $"incomplete {outcomes.GetValueOrDefault(HeadParseStatus.Incomplete)}");
    }

    [Fact]
    public void Random_chunked_bodies_decode_to_their_payload_however_they_arrive()
    {
        var random = new Random(777);
        for (int n = 0; n < 300; n++)
        {
            var payload = new StringBuilder();
            var encoded = new StringBuilder();
            int chunks = random.Next(0, 8);
            for (int c = 0; c < chunks; c++)
            {
                string data = RandomString(random, PathChars + "\r\n", 1, 300);
                payload.Append(data);
                encoded.Append(random.Next(2) == 0 ? data.Length.ToString("x", CultureInfo.InvariantCulture) : data.Length.ToString("X4", CultureInfo.InvariantCulture));
                if (random.Next(3) == 0) encoded.Append(" ;").Append(RandomString(random, TokenChars, 1, 8)).Append("=\"").Append(RandomString(random, PathChars, 0, 8)).Append('"');
                encoded.Append("\r\n").Append(data).Append("\r\n");
            }
            encoded.Append("0\r\n");
            if (random.Next(2) == 0) encoded.Append("X-Sum: ").Append(RandomString(random, PathChars, 0, 20)).Append("\r\n");
            encoded.Append("\r\n");

            var input = Bytes(encoded.ToString());
            var expected = new ChunkedDecoderTests.Outcome(ChunkedStatus.Done, RequestRejection.None, payload.ToString(), input.Length, payload.Length);
            Assert.Equal(expected, ChunkedDecoderTests.Whole(input));
            Assert.Equal(expected, ChunkedDecoderTests.SplitAt(input, random.Next(input.Length + 1)));
            Assert.Equal(expected, ChunkedDecoderTests.Decode(input, RandomPoints(random, input.Length)));
        }
    }

    [Fact]
    public void Mutated_chunked_bodies_get_the_same_verdict_whole_and_byte_at_a_time()
    {
        var random = new Random(99);
        byte[] interesting = "\r\n ;=\"\\0aF:\t\u00e9"u8.ToArray();
        var template = Bytes("5;a=b\r\nhello\r\n1A ; q=\"x y\"\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: v\r\n\r\n");
        for (int n = 0; n < 3000; n++)
        {
            var data = new List<byte>(template);
            for (int m = random.Next(1, 3); m > 0; m--)
            {
                int at = random.Next(data.Count);
                byte b = interesting[random.Next(interesting.Length)];
                switch (random.Next(3))
                {
                    case 0: data[at] = b; break;
                    case 1: data.Insert(at, b); break;
                    default: data.RemoveAt(at); break;
                }
            }
            var bytes = data.ToArray();
            var limits = new HttpLimits { MaxRequestBodySize = random.Next(0, 40), MaxChunkExtensionLength = random.Next(3, 20), MaxTrailerSize = random.Next(2, 10) };
            var whole = ChunkedDecoderTests.Whole(bytes, limits);
            Assert.Equal(whole, ChunkedDecoderTests.ByteAtATime(bytes, limits));
            Assert.Equal(whole, ChunkedDecoderTests.Decode(bytes, RandomPoints(random, bytes.Length), limits));
        }
    }

    private static List<int> RandomPoints(Random random, int length)
    {
        var points = new List<int>();
        for (int at = 0; at < length;)
        {
            at = Math.Min(length, at + random.Next(0, 9));
            points.Add(at);
        }
        if (points.Count == 0) points.Add(0);
        return points;
    }
}
