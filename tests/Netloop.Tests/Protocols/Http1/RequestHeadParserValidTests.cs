using Netloop.Http;
using Netloop.Protocols.Http1;
using static Netloop.Tests.Protocols.Http1.HeadHarness;

namespace Netloop.Tests.Protocols.Http1;

public class RequestHeadParserValidTests
{
    /// <summary>A valid request: its head, what follows the head, and what the parser must report.</summary>
    private sealed record Case(string Head, string Tail = "")
    {
        public RequestMethod Method { get; init; } = RequestMethod.Get;
        public string? MethodText { get; init; }
        public RequestTargetForm Form { get; init; } = RequestTargetForm.Origin;
        public string Target { get; init; } = "/";
        public string? Path { get; init; }
        public string Query { get; init; } = "";
        public HttpVersion Version { get; init; } = HttpVersion.Http11;
        public string[] Headers { get; init; } = ["Host: a"];
        public long ContentLength { get; init; } = -1;
        public bool IsChunked { get; init; }
        public bool KeepAlive { get; init; } = true;
        public bool ExpectContinue { get; init; }
        public bool HasHost { get; init; } = true;
        public string Host { get; init; } = "a";

        public byte[] Data => Bytes(Head + Tail);

        public HeadSnapshot Expected => new(
            HeadParseStatus.Complete,
            RequestRejection.None,
            Bytes(Head).Length,
            Method,
            MethodText ?? Method.ToString().ToUpperInvariant(),
            Form,
            Target,
            Path ?? Target,
            Query,
            Version,
            string.Concat(Headers.Select(h => h + "\n")),
            ContentLength,
            IsChunked,
            KeepAlive,
            ExpectContinue,
            HasHost,
            HasHost ? Host : "");
    }

    private static readonly string[] ManyHeaders = Enumerable.Range(1, 40).Select(i => $"X-Header-{i}: value-{i}").ToArray();

    private static readonly string[] BrowserHeaders =
    [
        "Host: www.example.com",
        "Connection: keep-alive",
        "sec-ch-ua: \"Chromium\";v=\"128\", \"Not;A=Brand\";v=\"24\"",
        "sec-ch-ua-mobile: ?0",
        "sec-ch-ua-platform: \"Linux\"",
        "Upgrade-Insecure-Requests: 1",
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        "Sec-Fetch-Site: none",
        "Accept-Encoding: gzip, deflate, br, zstd",
        "Accept-Language: en-US,en;q=0.9,fr;q=0.8",
        "Cookie: session=abc123; theme=dark; _ga=GA1.2.3.4",
    ];

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["get with query"] = new("GET /search?q=netloop&lang=en HTTP/1.1\r\nHost: a\r\n\r\n")
        {
            Target = "/search?q=netloop&lang=en", Path = "/search", Query = "q=netloop&lang=en",
        },
        ["get with empty query"] = new("GET /p? HTTP/1.1\r\nHost: a\r\n\r\n") { Target = "/p?", Path = "/p", Query = "" },
        ["head"] = new("HEAD /index.html HTTP/1.1\r\nHost: a\r\n\r\n") { Method = RequestMethod.Head, Target = "/index.html" },
        ["post with content-length"] = new(
            "POST /submit HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\n\r\n",
            "name=value&x=")
        {
            Method = RequestMethod.Post, Target = "/submit", ContentLength = 13,
            Headers = ["Host: a", "Content-Type: application/x-www-form-urlencoded", "Content-Length: 13"],
        },
        ["chunked post"] = new("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", "5\r\nhello\r\n0\r\n\r\n")
        {
            Method = RequestMethod.Post, Target = "/upload", IsChunked = true, Headers = ["Host: a", "Transfer-Encoding: chunked"],
        },
        ["chunked in capitals"] = new("PUT /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n")
        {
            Method = RequestMethod.Put, Target = "/u", IsChunked = true, Headers = ["Host: a", "Transfer-Encoding: CHUNKED"],
        },
        ["identical content-length repeats"] = new("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\ncontent-length: 3 , 3\r\n\r\n", "abc")
        {
            Method = RequestMethod.Post, ContentLength = 3, Headers = ["Host: a", "Content-Length: 3", "content-length: 3 , 3"],
        },
        ["options asterisk"] = new("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n") { Method = RequestMethod.Options, Form = RequestTargetForm.Asterisk, Target = "*" },
        ["connect authority-form"] = new("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        {
            Method = RequestMethod.Connect, Form = RequestTargetForm.Authority, Target = "example.com:443", Path = "",
            Headers = ["Host: example.com:443"], Host = "example.com:443",
        },
        ["absolute-form"] = new("GET http://example.com:8080/a/b?c=d HTTP/1.1\r\nHost: example.com:8080\r\n\r\n")
        {
            Form = RequestTargetForm.Absolute, Target = "http://example.com:8080/a/b?c=d", Path = "/a/b", Query = "c=d",
            Headers = ["Host: example.com:8080"], Host = "example.com:8080",
        },
        ["absolute-form without path"] = new("DELETE https://[::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n")
        {
            Method = RequestMethod.Delete, Form = RequestTargetForm.Absolute, Target = "https://[::1]:8443", Path = "",
            Headers = ["Host: [::1]:8443"], Host = "[::1]:8443",
        },
        ["http/1.0 closes by default"] = new("GET / HTTP/1.0\r\n\r\n") { Version = HttpVersion.Http10, Headers = [], KeepAlive = false, HasHost = false },
        ["http/1.0 keep-alive"] = new("GET /x HTTP/1.0\r\nConnection: Keep-Alive\r\nHost: a\r\n\r\n")
        {
            Version = HttpVersion.Http10, Target = "/x", Headers = ["Connection: Keep-Alive", "Host: a"],
        },
        ["http/1.1 connection close"] = new("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        {
            KeepAlive = false, Headers = ["Host: a", "Connection: close"],
        },
        ["connection list"] = new("GET /chat HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n")
        {
            Target = "/chat", Headers = ["Host: a", "Connection: keep-alive, Upgrade", "Upgrade: websocket"],
        },
        ["many headers"] = new("GET / HTTP/1.1\r\nHost: a\r\n" + string.Concat(ManyHeaders.Select(h => h + "\r\n")) + "\r\n")
        {
            Headers = ["Host: a", .. ManyHeaders],
        },
        ["ows and htab"] = new("GET / HTTP/1.1\r\nHost:\t a \t\r\nX-A:   spaced value \t \r\nX-B:\tinner\ttab here\t\r\nX-C:tight\r\n\r\n")
        {
            Headers = ["Host: a", "X-A: spaced value", "X-B: inner\ttab here", "X-C: tight"],
        },
        ["empty values"] = new("GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Blank:   \r\n\r\n") { Headers = ["Host: a", "X-Empty: ", "X-Blank: "] },
        ["obs-text value"] = new("GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\u00E9\r\n\r\n") { Headers = ["Host: a", "X-Name: caf\u00E9"] },
        // RFC 9112 §3.2.2: with an absolute-form target Host is ignored, so an empty one is no error there (origin-form: 400).
        ["empty host beside an absolute-form target"] = new("GET http://a/x HTTP/1.1\r\nHost:\r\n\r\n")
        {
            Form = RequestTargetForm.Absolute, Target = "http://a/x", Path = "/x", Headers = ["Host: "], Host = "",
        },
        ["empty host beside an authority-form target"] = new("CONNECT a:443 HTTP/1.1\r\nHost:\r\n\r\n")
        {
            Method = RequestMethod.Connect, Form = RequestTargetForm.Authority, Target = "a:443", Path = "", Headers = ["Host: "], Host = "",
        },
        ["method of the longest allowed length"] = new(new string('M', RequestHeadParser.MaxMethodLength) + " / HTTP/1.1\r\nHost: a\r\n\r\n")
        {
            Method = RequestMethod.Custom, MethodText = new string('M', RequestHeadParser.MaxMethodLength),
        },
        ["longest registered method"] = new("UPDATEREDIRECTREF /r HTTP/1.1\r\nHost: a\r\n\r\n")
        {
            Method = RequestMethod.Custom, MethodText = "UPDATEREDIRECTREF", Target = "/r",
        },
        ["backslash and %00 in the query are the application's"] = new("GET /search?q=a\\b&z=%00 HTTP/1.1\r\nHost: a\r\n\r\n")
        {
            Target = "/search?q=a\\b&z=%00", Path = "/search", Query = "q=a\\b&z=%00",
        },
        ["percent-encoded bytes other than %00 in the path"] = new("GET /a%01%20%5C%2F%0A0x%0 HTTP/1.1\r\nHost: a\r\n\r\n")
        {
            Target = "/a%01%20%5C%2F%0A0x%0",
        },
        ["leading empty lines"] = new("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        ["browser with 12 headers"] = new("GET /docs/index.html?tab=2 HTTP/1.1\r\n" + string.Concat(BrowserHeaders.Select(h => h + "\r\n")) + "\r\n")
        {
            Target = "/docs/index.html?tab=2", Path = "/docs/index.html", Query = "tab=2", Headers = BrowserHeaders, Host = "www.example.com",
        },
        ["techempower plaintext"] = new(
            "GET /plaintext HTTP/1.1\r\nHost: server\r\nAccept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\nConnection: keep-alive\r\n\r\n")
        {
            Target = "/plaintext", Host = "server",
            Headers = ["Host: server", "Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7", "Connection: keep-alive"],
        },
        ["pipelined"] = new("GET /a HTTP/1.1\r\nHost: a\r\n\r\n", "GET /b HTTP/1.1\r\nHost: a\r\n\r\nGET /c HTTP/1.1\r\n") { Target = "/a" },
        ["expect 100-continue"] = new("PUT /file HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-Continue\r\n\r\n", "abcde")
        {
            Method = RequestMethod.Put, Target = "/file", ContentLength = 5, ExpectContinue = true,
            Headers = ["Host: a", "Content-Length: 5", "Expect: 100-Continue"],
        },
        ["expect ignored in http/1.0"] = new("POST /f HTTP/1.0\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n", "x")
        {
            Method = RequestMethod.Post, Target = "/f", Version = HttpVersion.Http10, ContentLength = 1, KeepAlive = false, HasHost = false,
            Headers = ["Content-Length: 1", "Expect: 100-continue"],
        },
        ["custom method"] = new("PURGE /cache HTTP/1.1\r\nHost: a\r\n\r\n") { Method = RequestMethod.Custom, MethodText = "PURGE", Target = "/cache" },
        ["patch with zero length"] = new("PATCH /r HTTP/1.1\r\nHost: a\r\nContent-Length: 000\r\n\r\n")
        {
            Method = RequestMethod.Patch, Target = "/r", ContentLength = 0, Headers = ["Host: a", "Content-Length: 000"],
        },
        ["trace with lenient target bytes"] = new("TRACE /a|b{c}^d?e=[f]`g HTTP/1.1\r\nHost: a\r\n\r\n")
        {
            Method = RequestMethod.Trace, Target = "/a|b{c}^d?e=[f]`g", Path = "/a|b{c}^d", Query = "e=[f]`g",
        },
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Parses_whole(string name)
    {
        var c = Cases[name];
        Assert.Equal(c.Expected, Whole(c.Data));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Parses_identically_one_byte_at_a_time_and_completes_at_the_last_byte_of_the_head(string name)
    {
        var c = Cases[name];
        var (snapshot, decidedAt) = ByteAtATime(c.Data);
        Assert.Equal(c.Expected, snapshot);
        Assert.Equal(snapshot.HeadLength, decidedAt);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Parses_identically_whatever_the_split(string name)
    {
        var c = Cases[name];
        var data = c.Data;
        int headLength = c.Expected.HeadLength;
        for (int split = 0; split <= data.Length; split++)
        {
            var (first, snapshot) = Split(data, split);
            Assert.Equal(split >= headLength ? HeadParseStatus.Complete : HeadParseStatus.Incomplete, first);
            Assert.Equal(c.Expected, snapshot);
        }
    }

    [Fact]
    public void Pipelined_requests_parse_one_after_another_with_reset()
    {
        var data = Bytes("GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET /c HTTP/1.0\r\n\r\n");
        var parser = new RequestHeadParser();
        var paths = new List<string>();
        int offset = 0;
        while (offset < data.Length)
        {
            var rest = data.AsSpan(offset);
            Assert.Equal(HeadParseStatus.Complete, parser.ParseHead(rest));
            paths.Add(Text(parser.PathRange.Of(rest)));
            offset += parser.HeadLength + (int)Math.Max(0, parser.ContentLength);
            parser.Reset();
        }
        Assert.Equal(["/a", "/b", "/c"], paths);
    }

    [Fact]
    public void Keeps_its_result_until_reset()
    {
        var data = Bytes("GET /a HTTP/1.1\r\nHost: a\r\n\r\nXYZ");
        var parser = new RequestHeadParser();
        Assert.Equal(HeadParseStatus.Complete, parser.ParseHead(data));
        Assert.Equal(HeadParseStatus.Complete, parser.ParseHead(data));
        Assert.True(parser.IsComplete);

        var bad = Bytes("GET /a HTTP/1.1\n");
        parser.Reset();
        Assert.Equal(HeadParseStatus.Rejected, parser.ParseHead(bad));
        Assert.Equal(HeadParseStatus.Rejected, parser.ParseHead(bad));
        Assert.False(parser.IsComplete);
        parser.Reset();
        Assert.Equal(RequestRejection.None, parser.Rejection);
        Assert.Equal(HeadParseStatus.Complete, parser.ParseHead(data));
    }

    [Fact]
    public void Data_that_shrinks_between_calls_is_a_caller_bug()
    {
        var data = Bytes("GET /abc");
        var parser = new RequestHeadParser();
        Assert.Equal(HeadParseStatus.Incomplete, parser.ParseHead(data));
        Assert.Throws<ArgumentException>(() => parser.ParseHead(data.AsSpan(0, 3)));
    }

    [Fact]
    public void Finds_headers_by_name_case_insensitively_without_allocating()
    {
        var data = Bytes("GET / HTTP/1.1\r\nHost: a\r\nAccept: x\r\nCookie: one\r\nX-Other: y\r\ncookie: two\r\n\r\n");
        var parser = new RequestHeadParser();
        Assert.Equal(HeadParseStatus.Complete, parser.ParseHead(data));

        Assert.True(parser.TryGetHeader(data, "accept"u8, out var accept));
        Assert.Equal("x", Text(accept.Of(data)));
        Assert.False(parser.TryGetHeader(data, "accept-encoding"u8, out _));

        var cookies = new List<string>();
        for (int i = parser.IndexOfHeader(data, "COOKIE"u8); i >= 0; i = parser.IndexOfHeader(data, "cookie"u8, i + 1))
        {
            cookies.Add(Text(parser.GetHeader(i).Value(data)));
        }
        Assert.Equal(["one", "two"], cookies);

        Assert.True(parser.GetHeader(1).NameEquals(data, "ACCEPT"u8));
        Assert.True(RequestHeadParser.NameEquals("Content-Length"u8, "content-length"u8));
        Assert.False(RequestHeadParser.NameEquals("Content-Length"u8, "content-lengths"u8));
        Assert.False(RequestHeadParser.NameEquals("Content\rLength"u8, "content-length"u8));
        Assert.Throws<ArgumentOutOfRangeException>(() => parser.GetHeader(5));
        Assert.Equal("x", Text(data.AsSpan()[accept.ToRange()]));
    }

    [Fact]
    public void Request_line_of_exactly_the_limit_is_accepted()
    {
        var limits = new HttpLimits();
        string prefix = "GET /";
        string suffix = " HTTP/1.1\r\n";
        string line = prefix + new string('a', limits.MaxRequestLineSize - prefix.Length - suffix.Length) + suffix;
        Assert.Equal(limits.MaxRequestLineSize, line.Length);
        var data = Bytes(line + "Host: a\r\n\r\n");
        Assert.Equal(HeadParseStatus.Complete, Whole(data).Status);
        Assert.Equal(HeadParseStatus.Complete, ByteAtATime(data).Snapshot.Status);
    }

    [Fact]
    public void Header_section_of_exactly_the_limit_is_accepted()
    {
        var limits = new HttpLimits { MaxRequestHeadersTotalSize = 64 };
        string host = "Host: a\r\n";
        string filler = "X: " + new string('v', 64 - host.Length - "X: \r\n".Length) + "\r\n";
        Assert.Equal(64, host.Length + filler.Length);
        var data = Bytes("GET / HTTP/1.1\r\n" + host + filler + "\r\n");
        Assert.Equal(HeadParseStatus.Complete, Whole(data, limits).Status);
        Assert.Equal(HeadParseStatus.Complete, ByteAtATime(data, limits).Snapshot.Status);
    }

    [Fact]
    public void Exactly_the_maximum_number_of_fields_is_accepted()
    {
        var limits = new HttpLimits { MaxRequestHeaderCount = 5 };
        var data = Bytes("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n");
        var snapshot = Whole(data, limits);
        Assert.Equal(HeadParseStatus.Complete, snapshot.Status);
        Assert.Equal("Host: a\nA: 1\nB: 2\nC: 3\nD: 4\n", snapshot.Headers);
    }
}
