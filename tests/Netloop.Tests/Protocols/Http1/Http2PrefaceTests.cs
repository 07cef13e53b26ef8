using Netloop.Protocols.Http1;
using static Netloop.Tests.Protocols.Http1.HeadHarness;

namespace Netloop.Tests.Protocols.Http1;

public class Http2PrefaceTests
{
    private const string Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    [Fact]
    public void Every_prefix_needs_more_and_the_whole_preface_is_http2()
    {
        var data = Bytes(Preface + "\0\0\u0012\u0004"); // a SETTINGS frame header follows
        Assert.Equal(Http2Preface.Length, Preface.Length);
        for (int k = 0; k < Preface.Length; k++) Assert.Equal(PrefaceMatch.NeedMore, Http2Preface.Match(data.AsSpan(0, k)));
        for (int k = Preface.Length; k <= data.Length; k++) Assert.Equal(PrefaceMatch.IsHttp2, Http2Preface.Match(data.AsSpan(0, k)));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("G")]
    [InlineData("PRI * HTTP/1.1\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\n")]
    [InlineData("pri")]
    public void Anything_else_is_not_http2_as_soon_as_it_differs(string text) =>
        Assert.Equal(PrefaceMatch.NotHttp2, Http2Preface.Match(Bytes(text)));

    [Fact]
    public void The_preface_read_as_http1_is_rejected()
    {
        var snapshot = Whole(Bytes(Preface));
        Assert.Equal(HeadParseStatus.Rejected, snapshot.Status);
    }
}
