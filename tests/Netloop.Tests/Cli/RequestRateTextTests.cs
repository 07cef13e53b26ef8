using Netloop.Server;

namespace Netloop.Tests.Cli;

/// <summary><c>--rate-limit</c> and <c>Netloop:PerIpLimits:RequestsPerSecond</c>: rates as people write them.</summary>
public sealed class RequestRateTextTests
{
    [Theory]
    [InlineData("100/s", 100)]
    [InlineData("100", 100)]
    [InlineData(" 600/m ", 10)]
    [InlineData("30/min", 0.5)]
    [InlineData("7200/h", 2)]
    [InlineData("0.5/s", 0.5)]
    [InlineData("0", 0)]
    public void Rates_read_as_requests_per_second(string text, double expected)
    {
        Assert.True(RequestRateText.TryParse(text, out double rate));
        Assert.Equal(expected, rate, 9);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("100/day")]
    [InlineData("-5/s")]
    [InlineData("1e3/s")]
    [InlineData("/s")]
    [InlineData("2000000/s")]
    public void Anything_else_is_refused(string text) => Assert.False(RequestRateText.TryParse(text, out _));
}
