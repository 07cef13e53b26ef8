using Netloop.Protocols.Http1;
using static Netloop.Tests.Protocols.Http1.HeadHarness;

namespace Netloop.Tests.Protocols.Http1;

public class RequestHeadParserRejectionTests
{
    private const string H = "Host: a\r\n";

    /// <summary>Rejected with the same reason whole and byte at a time; never later than the whole data.</summary>
    private static void AssertRejected(string request, RequestRejection expected, int status, HttpLimits? limits = null)
    {
        var data = Bytes(request);
        var whole = Whole(data, limits);
        Assert.Equal(HeadParseStatus.Rejected, whole.Status);
        Assert.Equal(expected, whole.Rejection);
        Assert.Equal(status, RequestRejections.StatusCode(whole.Rejection));

        var (incremental, _) = ByteAtATime(data, limits);
        Assert.Equal(whole, incremental);
        // Every split point for ordinary requests; a sample for the ones built to cross the 8 and 32 KiB limits.
        int step = data.Length <= 4096 ? 1 : 61;
        for (int split = 0; split <= data.Length; split += step) Assert.Equal(whole, Split(data, split, limits).Snapshot);
    }

    [Theory]
    [InlineData("GET  / HTTP/1.1\r\n" + H + "\r\n", RequestRejection.InvalidRequestLine, 400)]
    [InlineData(" GET / HTTP/1.1\r\n" + H + "\r\n", RequestRejection.InvalidRequestLine, 400)]
    [InlineData("GET\t/ HTTP/1.1\r\n" + H + "\r\n", RequestRejection.InvalidRequestLine, 400)]
    [InlineData("GET /\t HTTP/1.1\r\n" + H + "\r\n", RequestRejection.InvalidRequestLine, 400)]
    [InlineData("GET /\r\n\r\n", RequestRejection.InvalidRequestLine, 400)]
    [InlineData("GET\r\n\r\n", RequestRejection.InvalidRequestLine, 400)]
    [InlineData("\r\n \r\n", RequestRejection.InvalidRequestLine, 400)]
    public void Malformed_request_line(string request, object expected, int status) => AssertRejected(request, (RequestRejection)expected, status);

    [Theory]
    [InlineData("G@T / HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GE(T / HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET\u0000 / HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("G\u00C9T / HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET\u007F / HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET: / HTTP/1.1\r\n" + H + "\r\n")]
    public void Method_with_a_byte_that_is_not_a_tchar(string request) => AssertRejected(request, RequestRejection.InvalidMethod, 400);

    [Theory]
    [InlineData("GET /a\u0001b HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET /a\u0000 HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET /a\u007Fb HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET /caf\u00E9 HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET /\u00FF HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET /a#fragment HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET a/b HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET ? HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET * HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("OPTIONS *x HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("OPTIONS */ HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("CONNECT / HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("CONNECT example.com HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("CONNECT example.com: HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("CONNECT :443 HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("CONNECT example.com:44x HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("CONNECT http://example.com:443 HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("CONNECT user@example.com:443 HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET example.com:80 HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET http:/x HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET http:///x HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET http://user@host/ HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET 1http://host/ HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET ht~tp://host/ HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET http://[::1/ HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET http://host:8o/ HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET http://ho%zzst/ HTTP/1.1\r\n" + H + "\r\n")]
    public void Invalid_request_target(string request) => AssertRejected(request, RequestRejection.InvalidRequestTarget, 400);

    [Theory]
    [InlineData("GET / http/1.1\r\n" + H + "\r\n")]
    [InlineData("GET / HTTP/1.x\r\n" + H + "\r\n")]
    [InlineData("GET / HTTP/11\r\n" + H + "\r\n")]
    [InlineData("GET / HTTP/1.10\r\n" + H + "\r\n")]
    [InlineData("GET / HTTP/1.1 \r\n" + H + "\r\n")]
    [InlineData("GET / HTTP/1\r\n" + H + "\r\n")]
    [InlineData("GET / HTTPS/1.1\r\n" + H + "\r\n")]
    [InlineData("GET /a b HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET / \r\n" + H + "\r\n")]
    public void Malformed_http_version(string request) => AssertRejected(request, RequestRejection.InvalidHttpVersion, 400);

    [Theory]
    [InlineData("GET / HTTP/2.0\r\n" + H + "\r\n")]
    [InlineData("GET / HTTP/1.2\r\n" + H + "\r\n")]
    [InlineData("GET / HTTP/0.9\r\n" + H + "\r\n")]
    [InlineData("GET / HTTP/9.9\r\n" + H + "\r\n")]
    public void Well_formed_but_unsupported_version_is_505(string request) =>
        AssertRejected(request, RequestRejection.HttpVersionNotSupported, 505);

    [Theory]
    [InlineData("GET / HTTP/1.1\nHost: a\n\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: b\nY: c\r\n\r\n")]
    [InlineData("\nGET / HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("\r\n\nGET / HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("GET / HTTP/1.1\r\n\n")]
    public void Bare_line_feed_is_rejected(string request) => AssertRejected(request, RequestRejection.BareLineFeed, 400);

    [Theory]
    [InlineData("GET / HTTP/1.1\rHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\rX: b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\rX")]
    [InlineData("\rGET / HTTP/1.1\r\n" + H + "\r\n")]
    [InlineData("\r\n\r GET / HTTP/1.1\r\n" + H + "\r\n")]
    public void Bare_carriage_return_is_rejected(string request) => AssertRejected(request, RequestRejection.BareCarriageReturn, 400);

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n Host: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n\tHost: a\r\n\r\n")]
    public void Field_line_starting_with_whitespace(string request) => AssertRejected(request, RequestRejection.ObsoleteLineFolding, 400);

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost : a\r\n\r\n", RequestRejection.WhitespaceBeforeColon)]
    [InlineData("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", RequestRejection.WhitespaceBeforeColon)]
    [InlineData("GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\n", RequestRejection.WhitespaceBeforeColon)]
    [InlineData("GET / HTTP/1.1\r\n" + H + ": a\r\n\r\n", RequestRejection.EmptyHeaderName)]
    [InlineData("GET / HTTP/1.1\r\n" + H + "Ho(st: a\r\n\r\n", RequestRejection.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\n" + H + "X\u0000: a\r\n\r\n", RequestRejection.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\n" + H + "X\u00E9: a\r\n\r\n", RequestRejection.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\n" + H + "X/Y: a\r\n\r\n", RequestRejection.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\n" + H + "X: a\u0000b\r\n\r\n", RequestRejection.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\n" + H + "X: a\u0001\r\n\r\n", RequestRejection.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\n" + H + "X: a\u001Fb\r\n\r\n", RequestRejection.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\n" + H + "X: a\u007F\r\n\r\n", RequestRejection.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\n" + H + "X: \u00E9\u0001\r\n\r\n", RequestRejection.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\n" + H + "X: a\tb\t\u0000\r\n\r\n", RequestRejection.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\n" + H + "X: \u00FF\t\n\r\n", RequestRejection.BareLineFeed)]
    [InlineData("GET / HTTP/1.1\r\n" + H + "NoColon\r\n\r\n", RequestRejection.InvalidHeaderLine)]
    [InlineData("GET / HTTP/1.1\r\n" + H + "NoColon\n\r\n", RequestRejection.InvalidHeaderLine)]
    public void Invalid_field_syntax(string request, object expected) => AssertRejected(request, (RequestRejection)expected, 400);

    [Theory]
    [InlineData("abc")]
    [InlineData("+5")]
    [InlineData("-5")]
    [InlineData("5 5")]
    [InlineData("1 0")]
    [InlineData("0x10")]
    [InlineData("5.0")]
    [InlineData("")]
    [InlineData("5,")]
    [InlineData(",5")]
    [InlineData("5,,5")]
    [InlineData("5;")]
    [InlineData("99999999999999999999")]
    [InlineData("9223372036854775808")]
    [InlineData("\u0661")]
    public void Content_length_that_is_not_a_plain_decimal(string value) =>
        AssertRejected("POST / HTTP/1.1\r\n" + H + "Content-Length: " + value + "\r\n\r\n", RequestRejection.InvalidContentLength, 400);

    [Fact]
    public void Largest_content_length_is_accepted()
    {
        var snapshot = Whole(Bytes("POST / HTTP/1.1\r\n" + H + "Content-Length: 9223372036854775807\r\n\r\n"));
        Assert.Equal(long.MaxValue, snapshot.ContentLength);
    }

    [Theory]
    [InlineData("Content-Length: 5\r\nContent-Length: 6\r\n", RequestRejection.MultipleContentLength)]
    [InlineData("Content-Length: 5, 6\r\n", RequestRejection.MultipleContentLength)]
    [InlineData("Content-Length: 5,5\r\nContent-Length: 5, 7\r\n", RequestRejection.MultipleContentLength)]
    [InlineData("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", RequestRejection.ContentLengthAndTransferEncoding)]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", RequestRejection.ContentLengthAndTransferEncoding)]
    [InlineData("Transfer-Encoding: gzip\r\n", RequestRejection.FinalTransferCodingNotChunked)]
    [InlineData("Transfer-Encoding: chunked, gzip\r\n", RequestRejection.FinalTransferCodingNotChunked)]
    [InlineData("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", RequestRejection.FinalTransferCodingNotChunked)]
    [InlineData("Transfer-Encoding: chunked;q=1\r\n", RequestRejection.FinalTransferCodingNotChunked)]
    [InlineData("Transfer-Encoding: \r\n", RequestRejection.FinalTransferCodingNotChunked)]
    [InlineData("Transfer-Encoding: chunk\r\n", RequestRejection.FinalTransferCodingNotChunked)]
    [InlineData("Transfer-Encoding: \"chunked\"\r\n", RequestRejection.FinalTransferCodingNotChunked)]
    [InlineData("Transfer-Encoding: chunked, chunked\r\n", RequestRejection.DuplicateChunkedCoding)]
    [InlineData("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", RequestRejection.DuplicateChunkedCoding)]
    [InlineData("Host: b\r\n", RequestRejection.MultipleHost)]
    [InlineData("host: a\r\n", RequestRejection.MultipleHost)]
    public void Conflicting_framing_or_host(string fields, object expected) =>
        AssertRejected("POST / HTTP/1.1\r\n" + H + fields + "\r\n", (RequestRejection)expected, 400);

    [Theory]
    [InlineData("Transfer-Encoding: gzip, chunked\r\n")]
    [InlineData("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n")]
    [InlineData("Transfer-Encoding: identity, chunked\r\n")]
    public void Transfer_coding_other_than_chunked_is_501(string fields) =>
        AssertRejected("POST / HTTP/1.1\r\n" + H + fields + "\r\n", RequestRejection.UnsupportedTransferCoding, 501);

    [Theory]
    [InlineData("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("POST / HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")]
    public void Transfer_encoding_in_http_1_0(string request) => AssertRejected(request, RequestRejection.TransferEncodingInHttp10, 400);

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", RequestRejection.MissingHost)]
    [InlineData("GET / HTTP/1.1\r\nX-Host: a\r\n\r\n", RequestRejection.MissingHost)]
    [InlineData("GET http://a/ HTTP/1.1\r\n\r\n", RequestRejection.MissingHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", RequestRejection.MultipleHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", RequestRejection.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", RequestRejection.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", RequestRejection.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", RequestRejection.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: []\r\n\r\n", RequestRejection.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", RequestRejection.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n", RequestRejection.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a:80:90\r\n\r\n", RequestRejection.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: a%2\r\n\r\n", RequestRejection.InvalidHost)]
    [InlineData("GET / HTTP/1.1\r\nHost: caf\u00E9\r\n\r\n", RequestRejection.InvalidHost)]
    public void Host_rules_of_rfc_9112_section_3_2(string request, object expected) => AssertRejected(request, (RequestRejection)expected, 400);

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost:\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost:   \r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: \t \r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: :8080\r\n\r\n")]
    [InlineData("GET /a?b HTTP/1.1\r\nX: y\r\nHost:\r\n\r\n")]
    [InlineData("OPTIONS * HTTP/1.1\r\nHost:\r\n\r\n")]
    [InlineData("POST /f HTTP/1.1\r\nContent-Length: 5\r\nHost:\r\n\r\n")]
    [InlineData("GET / HTTP/1.0\r\nHost:\r\n\r\n")] // HTTP/1.0 may leave Host out, but an empty one is an empty authority
    public void Empty_host_is_400_where_host_gives_the_authority(string request) => AssertRejected(request, RequestRejection.EmptyHost, 400);

    [Fact]
    public void Empty_host_is_refused_at_the_end_of_its_field_line()
    {
        string request = "GET / HTTP/1.1\r\nHost:\r\nX: y\r\n\r\n";
        var (snapshot, decidedAt) = ByteAtATime(Bytes(request));
        Assert.Equal(RequestRejection.EmptyHost, snapshot.Rejection);
        Assert.Equal("GET / HTTP/1.1\r\nHost:\r\n".Length, decidedAt);
    }

    [Theory]
    [InlineData(RequestHeadParser.MaxMethodLength + 1, "")]
    [InlineData(200, "")]
    [InlineData(RequestHeadParser.MaxMethodLength + 1, "\r\n\r\n")] // empty lines before the request line do not count
    public void Method_longer_than_any_known_is_501_when_its_extra_byte_arrives(int length, string before)
    {
        string request = before + new string('M', length) + " / HTTP/1.1\r\n" + H + "\r\n";
        AssertRejected(request, RequestRejection.MethodTooLong, 501);
        var (snapshot, decidedAt) = ByteAtATime(Bytes(request));
        Assert.Equal(RequestRejection.MethodTooLong, snapshot.Rejection);
        Assert.Equal(before.Length + RequestHeadParser.MaxMethodLength + 1, decidedAt);
        Assert.Equal("Not Implemented", RequestRejections.StatusText(snapshot.Rejection));
    }

    [Fact]
    public void Method_past_a_smaller_request_line_limit_is_still_414()
    {
        var limits = new HttpLimits { MaxRequestLineSize = 20 };
        AssertRejected(new string('M', 40) + " / HTTP/1.1\r\n" + H + "\r\n", RequestRejection.RequestLineTooLong, 414, limits);
        // A bad byte within the longest method's reach is still a bad method, not a long one.
        AssertRejected(new string('M', RequestHeadParser.MaxMethodLength) + "@ / HTTP/1.1\r\n" + H + "\r\n", RequestRejection.InvalidMethod, 400);
    }

    [Theory]
    [InlineData("GET /a\\b HTTP/1.1\r\n" + H + "\r\n", 7)]
    [InlineData("GET \\ HTTP/1.1\r\n" + H + "\r\n", 5)]
    [InlineData("GET /..\\..\\etc/passwd HTTP/1.1\r\n" + H + "\r\n", 8)]
    [InlineData("GET /a%00b HTTP/1.1\r\n" + H + "\r\n", 9)]
    [InlineData("GET /%00 HTTP/1.1\r\n" + H + "\r\n", 8)]
    [InlineData("GET /a/%00?x=1 HTTP/1.1\r\n" + H + "\r\n", 10)]
    [InlineData("GET /%2500%00 HTTP/1.1\r\n" + H + "\r\n", 13)]
    [InlineData("POST /upload/x%00.txt?y HTTP/1.1\r\n" + H + "\r\n", 17)]
    [InlineData("GET http://a/b\\c HTTP/1.1\r\n" + H + "\r\n", 15)]
    [InlineData("GET http://a/%00 HTTP/1.1\r\n" + H + "\r\n", 16)]
    [InlineData("OPTIONS /x%00 HTTP/1.1\r\n" + H + "\r\n", 13)]
    public void Backslash_or_percent_00_in_the_path_is_400_when_it_arrives(string request, int decidedAt)
    {
        AssertRejected(request, RequestRejection.UnsafeRequestPath, 400);
        var (snapshot, at) = ByteAtATime(Bytes(request));
        Assert.Equal(RequestRejection.UnsafeRequestPath, snapshot.Rejection);
        Assert.Equal(decidedAt, at);
    }

    [Fact]
    public void Request_line_over_the_limit_is_414_as_soon_as_the_limit_is_seen()
    {
        var limits = new HttpLimits();
        // No line end at all: decided at exactly MaxRequestLineSize bytes, not by waiting for more.
        var data = Bytes("GET /" + new string('a', 20_000));
        var (snapshot, decidedAt) = ByteAtATime(data);
        Assert.Equal(RequestRejection.RequestLineTooLong, snapshot.Rejection);
        Assert.Equal(414, RequestRejections.StatusCode(snapshot.Rejection));
        Assert.Equal(limits.MaxRequestLineSize, decidedAt);
        Assert.Equal(snapshot, Whole(data));

        // One byte over: the CRLF would end at MaxRequestLineSize + 1.
        string line = "GET /" + new string('a', limits.MaxRequestLineSize - "GET / HTTP/1.1\r\n".Length + 1) + " HTTP/1.1\r\n";
        AssertRejected(line + H + "\r\n", RequestRejection.RequestLineTooLong, 414);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")] // the CR at the last allowed byte, the LF one past
    [InlineData("GET / HTTP/1.1\r")]
    [InlineData("GET / HTTP/1.")]
    [InlineData("GET /")]
    [InlineData("GE")]
    [InlineData("\r\n\r\n\r\n")] // empty lines count toward the request line
    public void Request_line_limit_applies_in_every_part_of_the_line(string prefixFittingInLimit)
    {
        var limits = new HttpLimits { MaxRequestLineSize = prefixFittingInLimit.Length - 1 };
        AssertRejected(prefixFittingInLimit + H + "\r\n", RequestRejection.RequestLineTooLong, 414, limits);
        var (snapshot, decidedAt) = ByteAtATime(Bytes(prefixFittingInLimit + H + "\r\n"), limits);
        Assert.Equal(RequestRejection.RequestLineTooLong, snapshot.Rejection);
        Assert.Equal(limits.MaxRequestLineSize, decidedAt);
    }

    [Fact]
    public void Header_section_over_the_limit_is_431_as_soon_as_the_limit_is_seen()
    {
        var limits = new HttpLimits();
        string requestLine = "GET / HTTP/1.1\r\n";
        var endless = Bytes(requestLine + H + "X: " + new string('v', 40_000));
        var (snapshot, decidedAt) = ByteAtATime(endless);
        Assert.Equal(RequestRejection.HeadersTooLarge, snapshot.Rejection);
        Assert.Equal(431, RequestRejections.StatusCode(snapshot.Rejection));
        Assert.Equal(requestLine.Length + limits.MaxRequestHeadersTotalSize + 2, decidedAt);

        // Many small fields adding up past the limit (default count limit raised so size is what trips).
        var wide = new HttpLimits { MaxRequestHeaderCount = 10_000 };
        string fields = string.Concat(Enumerable.Range(0, 4000).Select(i => $"X-{i}: {i}\r\n"));
        AssertRejected(requestLine + H + fields + "\r\n", RequestRejection.HeadersTooLarge, 431, wide);

        // One byte over an exact fit.
        var small = new HttpLimits { MaxRequestHeadersTotalSize = 64 };
        string filler = "X: " + new string('v', 64 - H.Length - "X: \r\n".Length + 1) + "\r\n";
        AssertRejected(requestLine + H + filler + "\r\n", RequestRejection.HeadersTooLarge, 431, small);
    }

    [Fact]
    public void More_fields_than_the_limit_is_431_when_the_extra_line_starts()
    {
        string fields = string.Concat(Enumerable.Range(0, 100).Select(i => $"X-{i}: {i}\r\n"));
        string head = "GET / HTTP/1.1\r\n" + H + fields; // 101 fields
        AssertRejected(head + "\r\n", RequestRejection.TooManyHeaders, 431);

        var limits = new HttpLimits { MaxRequestHeaderCount = 3 };
        string request = "GET / HTTP/1.1\r\n" + H + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n";
        var (snapshot, decidedAt) = ByteAtATime(Bytes(request), limits);
        Assert.Equal(RequestRejection.TooManyHeaders, snapshot.Rejection);
        Assert.Equal(request.IndexOf("C: 3", StringComparison.Ordinal) + 1, decidedAt);
    }

    [Theory]
    [InlineData("G\u0001", 2)]
    [InlineData("GET /\u0001", 6)]
    [InlineData("GET / HTTX", 10)]
    [InlineData("GET / HTTP/1.1\r\nHo st", 19)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\rx", 25)]
    [InlineData("GET / HTTP/1.1\n", 15)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n", 63)]
    public void Rejection_happens_at_the_first_byte_that_proves_it(string request, int decidedAt)
    {
        var (snapshot, at) = ByteAtATime(Bytes(request));
        Assert.Equal(HeadParseStatus.Rejected, snapshot.Status);
        Assert.Equal(decidedAt, at);
    }
}
