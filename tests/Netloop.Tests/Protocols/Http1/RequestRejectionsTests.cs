using Netloop.Protocols.Http1;

namespace Netloop.Tests.Protocols.Http1;

public class RequestRejectionsTests
{
    [Theory]
    [InlineData(RequestRejection.InvalidRequestLine, 400, "Bad Request")]
    [InlineData(RequestRejection.BareLineFeed, 400, "Bad Request")]
    [InlineData(RequestRejection.MissingHost, 400, "Bad Request")]
    [InlineData(RequestRejection.InvalidChunkedData, 400, "Bad Request")]
    [InlineData(RequestRejection.UnexpectedEndOfBody, 400, "Bad Request")]
    [InlineData(RequestRejection.RequestLineTooLong, 414, "URI Too Long")]
    [InlineData(RequestRejection.HeadersTooLarge, 431, "Request Header Fields Too Large")]
    [InlineData(RequestRejection.TooManyHeaders, 431, "Request Header Fields Too Large")]
    [InlineData(RequestRejection.TrailerTooLarge, 431, "Request Header Fields Too Large")]
    [InlineData(RequestRejection.HttpVersionNotSupported, 505, "HTTP Version Not Supported")]
    [InlineData(RequestRejection.UnsupportedTransferCoding, 501, "Not Implemented")]
    [InlineData(RequestRejection.MethodTooLong, 501, "Not Implemented")]
    [InlineData(RequestRejection.EmptyHost, 400, "Bad Request")]
    [InlineData(RequestRejection.UnsafeRequestPath, 400, "Bad Request")]
    [InlineData(RequestRejection.ChunkSizeOverflow, 400, "Bad Request")]
    [InlineData(RequestRejection.BodyTooLarge, 413, "Content Too Large")]
    [InlineData(RequestRejection.RequestHeadersTimeout, 408, "Request Timeout")]
    [InlineData(RequestRejection.MinRequestBodyDataRate, 408, "Request Timeout")]
    public void Maps_to_the_status_code(object rejectionValue, int status, string text)
    {
        // xunit theories are public: the internal enum arrives boxed.
        var rejection = (RequestRejection)rejectionValue;
        Assert.Equal(status, RequestRejections.StatusCode(rejection));
        Assert.Equal(text, RequestRejections.StatusText(rejection));
    }

    [Fact]
    public void Every_rejection_has_a_status_and_its_own_reason()
    {
        var rejections = Enum.GetValues<RequestRejection>().Where(r => r != RequestRejection.None).ToArray();
        Assert.All(rejections, r => Assert.InRange(RequestRejections.StatusCode(r), 400, 599));
        var reasons = rejections.Select(RequestRejections.Reason).ToArray();
        Assert.Equal(reasons.Length, reasons.Distinct().Count());
        Assert.DoesNotContain("Bad request.", reasons);
        Assert.Throws<ArgumentOutOfRangeException>(() => RequestRejections.StatusCode(RequestRejection.None));
    }

    [Fact]
    public void Limits_default_to_kestrels_values_and_refuse_nonsense()
    {
        var limits = new HttpLimits();
        Assert.Equal(8192, limits.MaxRequestLineSize);
        Assert.Equal(32768, limits.MaxRequestHeadersTotalSize);
        Assert.Equal(100, limits.MaxRequestHeaderCount);
        Assert.Equal(30_000_000, limits.MaxRequestBodySize);
        Assert.Equal(TimeSpan.FromSeconds(30), limits.RequestHeadersTimeout);
        Assert.Equal(240, limits.MinRequestBodyDataRate);
        Assert.Equal(TimeSpan.FromSeconds(5), limits.MinRequestBodyDataRateGracePeriod);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxRequestLineSize = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxRequestBodySize = -1);
        limits.MaxRequestBodySize = null;
        Assert.Null(limits.MaxRequestBodySize);
    }
}
