using System.Text;
using CsCheck;
using Netloop.Http;
using static Netloop.Tests.Properties.PropertyBounds;

namespace Netloop.Tests.Properties;

/// <summary>
/// <see cref="RequestCookieCollection"/>: random cookie lists spread over one or more Cookie fields, with random
/// whitespace and quoting, parse to their pairs (the first of a repeated name wins); random bytes never throw.
/// </summary>
public class CookieParserProperties
{
    // cookie-name is a token; cookie-octet excludes controls, whitespace, DQUOTE, comma, semicolon and backslash (RFC 6265 §4.1.1).
    private const string NameChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string ValueChars = "!#$%&'()*+-./0123456789:<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~";

    private sealed record Cookie(string Name, string Value, bool Quoted, string Before, string After)
    {
        public string Text => $"{Before}{Name}{After}={After}{(Quoted ? "\"" + Value + "\"" : Value)}{Before}";
    }

    private static readonly Gen<string> Ows = Gen.OneOf("", " ", "\t", "  ");

    private static readonly Gen<Cookie> Cookies = Gen.Select(
        Gen.Frequency((3, Gen.Char[NameChars].Array[1, 10].Select(c => new string(c))), (1, Gen.OneOf("a", "b", "id"))),
        Gen.Char[ValueChars].Array[0, 20].Select(c => new string(c)),
        Gen.Bool, Ows, Ows,
        (name, value, quoted, before, after) => new Cookie(name, value, quoted, before, after));

    private static RequestCookieCollection Parse(IEnumerable<byte[]> fields)
    {
        var head = new RequestHead();
        head.Clear();
        int name = head.Append("Host"u8);
        int value = head.Append("x"u8);
        head.AddHeader(name, 4, value, 1);
        foreach (byte[] field in fields)
        {
            name = head.Append("Cookie"u8);
            value = head.Append(field);
            head.AddHeader(name, 6, value, field.Length);
        }
        var cookies = new RequestCookieCollection();
        cookies.Load(new RequestHeaders(head));
        return cookies;
    }

    [Fact]
    public void Random_cookie_lists_parse_to_their_pairs_and_the_first_of_a_name_wins()
    {
        Gen.Select(Cookies.Array[1, 12], Gen.Int[1, 3]).Sample((cookies, fieldCount) =>
        {
            // Spread over fieldCount Cookie fields, as a client or a proxy may (RFC 9110 §5.3 joins them with ", "
            // elsewhere; RFC 6265 §5.4 sends one, but servers see several).
            int perField = (cookies.Length + fieldCount - 1) / fieldCount;
            var fields = cookies.Chunk(perField).Select(chunk => Encoding.ASCII.GetBytes(string.Join(";", chunk.Select(c => c.Text))));
            var parsed = Parse(fields);

            var expected = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var cookie in cookies) expected.TryAdd(cookie.Name, cookie.Value);
            Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), parsed.OrderBy(p => p.Key, StringComparer.Ordinal));
        }, time: Seconds, threads: Threads);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        Gen.Frequency((1, Gen.Byte), (2, Gen.OneOf("; =\"\t,\\a"u8.ToArray())))
            .Array[0, 80].Array[0, 3].Sample(fields =>
            {
                var parsed = Parse(fields);
                foreach (var (name, value) in parsed)
                {
                    Assert.NotEmpty(name);
                    Assert.Equal(value, parsed[name]);
                }
            }, time: Seconds, threads: Threads);
    }
}
