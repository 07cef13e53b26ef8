using System.Text;
using CsCheck;
using Netloop.Protocols.Http1;
using Netloop.Tests.Protocols.Http1;
using static Netloop.Tests.Properties.PropertyBounds;

namespace Netloop.Tests.Properties;

/// <summary>A generated request head: what was meant, and its bytes.</summary>
internal sealed record GeneratedHead(string Method, string Path, string Query, (string Name, string Value)[] Fields, string Text)
{
    public byte[] Bytes => Encoding.Latin1.GetBytes(Text);

    /// <summary>The fields as <see cref="HeadSnapshot.Headers"/> renders them.</summary>
    public string Headers => string.Concat(Fields.Select(f => f.Name + ": " + f.Value + "\n"));

    public override string ToString() => Show(Bytes);
}

/// <summary>
/// <see cref="RequestHeadParser"/>: random valid heads round-trip (method, target, fields), delivered whole or split at
/// any points; mutated heads never throw and get one verdict however they arrive.
/// </summary>
public class RequestHeadParserProperties
{
    private const string TokenChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string PathChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/%";

    private static readonly Gen<string> Methods = Gen.Frequency(
        (3, Gen.OneOf("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE")),
        (1, Gen.Char[TokenChars].Array[1, 12].Select(c => new string(c))));

    // "%00" in the path is refused on purpose (a NUL that decoding would let through), so valid paths avoid it.
    private static readonly Gen<string> Paths = Gen.Char[PathChars].Array[0, 40].Select(c => ("/" + new string(c)).Replace("%00", "%30", StringComparison.Ordinal));

    private static readonly Gen<string> Queries = Gen.Frequency(
        (1, Gen.Const("")),
        (1, Gen.Char[PathChars + "?"].Array[0, 30].Select(c => new string(c))));

    // field-value = *field-content: visible ASCII and obs-text, with spaces and tabs only inside (RFC 9110 §5.5).
    private static readonly Gen<char> ValueChars = Gen.Frequency(
        (16, Gen.Char['!', '~']),
        (1, Gen.Const(' ')),
        (1, Gen.Const('\t')),
        (1, Gen.Char['\u0080', '\u00FF']));

    private static readonly Gen<(string, string)> Fields = Gen.Select(
        Gen.Char[TokenChars].Array[1, 20].Select(c => "X-" + new string(c)),
        ValueChars.Array[0, 40].Select(c => new string(c).Trim(' ', '\t')));

    private static readonly Gen<string> Ows = Gen.OneOf("", " ", "\t", " \t ");

    /// <summary>Valid heads with a Host field first, optional empty lines before the request line (§2.2) and random OWS.</summary>
    internal static readonly Gen<GeneratedHead> Heads = Gen.Select(
        Methods, Paths, Queries, Fields.Array[0, 20], Gen.Int[0, 2], Ows.Array[21],
        (method, path, query, fields, emptyLines, ows) =>
        {
            (string, string)[] all = [("Host", "example.com"), .. fields];
            var text = new StringBuilder();
            for (int i = 0; i < emptyLines; i++) text.Append("\r\n");
            text.Append(method).Append(' ').Append(path).Append(query.Length > 0 ? "?" + query : "").Append(" HTTP/1.1\r\n");
            for (int i = 0; i < all.Length; i++)
            {
                text.Append(all[i].Item1).Append(':').Append(ows[i]).Append(all[i].Item2).Append(ows[i]).Append("\r\n");
            }
            text.Append("\r\n");
            return new GeneratedHead(method, path, query, all, text.ToString());
        });

    /// <summary>Fields that change how a request is framed or handled, appended to some mutated heads.</summary>
    private static readonly Gen<string> FramingFields = Gen.OneOf(
        "",
        "Content-Length: 5\r\n",
        "Content-Length: 5, 5\r\nContent-Length: 5\r\n",
        "Transfer-Encoding: chunked\r\n",
        "Transfer-Encoding: gzip, chunked\r\n",
        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
        "Connection: close\r\nExpect: 100-continue\r\n",
        "Host: other\r\n");

    internal static HeadSnapshot Fed(byte[] data, int[] cuts, HttpLimits? limits = null)
    {
        var parser = new RequestHeadParser(limits);
        foreach (int available in Arrivals(data.Length, cuts))
        {
            var status = parser.ParseHead(data.AsSpan(0, available));
            if (status != HeadParseStatus.Incomplete) return HeadHarness.Capture(parser, status, data);
        }
        return HeadHarness.Capture(parser, HeadParseStatus.Incomplete, data);
    }

    [Fact]
    public void Random_valid_heads_round_trip_whole_and_split_at_random_points()
    {
        Gen.Select(Heads, Cuts).Sample((head, cuts) =>
        {
            byte[] data = head.Bytes;
            var whole = HeadHarness.Whole(data);
            Assert.Equal(HeadParseStatus.Complete, whole.Status);
            Assert.Equal(data.Length, whole.HeadLength);
            Assert.Equal(head.Method, whole.MethodText);
            Assert.Equal(head.Path, whole.Path);
            Assert.Equal(head.Query, whole.Query);
            Assert.Equal(head.Headers, whole.Headers);
            Assert.Equal(HttpVersion.Http11, whole.Version);
            Assert.True(whole.KeepAlive);
            Assert.Equal("example.com", whole.Host);
            Assert.Equal(whole, Fed(data, cuts));
        }, time: Seconds, threads: Threads);
    }

    private static readonly Gen<HttpLimits> Limits = Gen.Select(Gen.Int[20, 400], Gen.Int[20, 4000], Gen.Int[1, 60],
        (line, total, count) => new HttpLimits { MaxRequestLineSize = line, MaxRequestHeadersTotalSize = total, MaxRequestHeaderCount = count });

    [Fact]
    public void Mutated_heads_never_throw_and_get_one_verdict_however_they_arrive()
    {
        Gen.Select(Heads, FramingFields, Mutations, Cuts, Gen.Frequency((3, Gen.Const(() => new HttpLimits())), (1, Limits)))
            .Sample((head, framing, mutations, cuts, limits) =>
            {
                byte[] data = Apply(Encoding.Latin1.GetBytes(head.Text[..^2] + framing + "\r\n"), mutations);
                var whole = HeadHarness.Whole(data, limits);
                Assert.True(Enum.IsDefined(whole.Status));
                if (whole.Status == HeadParseStatus.Rejected) Assert.NotEqual(RequestRejection.None, whole.Rejection);
                if (whole.Status == HeadParseStatus.Complete) Assert.InRange(whole.HeadLength, 1, data.Length);
                Assert.Equal(whole, Fed(data, cuts, limits));
            }, time: Seconds, threads: Threads);
    }
}
