using System.Net;
using Netloop.Load.Targets;

namespace Netloop.Tests.Load.Targets;

public sealed class SourceAddressesTests
{
    private static string[] Parse(string text)
    {
        Assert.True(SourceAddresses.TryParse(text, out var addresses, out string? error), error);
        return addresses.Select(a => a.ToString()).ToArray();
    }

    [Fact]
    public void A_range_expands_to_every_address_in_it_inclusive()
    {
        var addresses = Parse("127.0.0.1-127.0.0.16");

        Assert.Equal(16, addresses.Length);
        Assert.Equal("127.0.0.1", addresses[0]);
        Assert.Equal("127.0.0.16", addresses[^1]);
    }

    [Fact]
    public void A_range_carries_across_octets()
    {
        Assert.Equal(["10.0.0.254", "10.0.0.255", "10.0.1.0", "10.0.1.1"], Parse("10.0.0.254-10.0.1.1"));
    }

    [Fact]
    public void Lists_and_ranges_mix_in_order()
    {
        Assert.Equal(["127.0.0.1", "127.0.0.5", "127.0.0.6", "127.0.0.9"], Parse("127.0.0.1, 127.0.0.5-127.0.0.6,127.0.0.9"));
    }

    [Fact]
    public void A_single_address_and_IPv6_work()
    {
        Assert.Equal(["127.0.0.2"], Parse("127.0.0.2"));
        Assert.Equal(["::1"], Parse("::1"));
        Assert.Equal(["fd00::1", "fd00::2", "fd00::3"], Parse("fd00::1-fd00::3"));
        Assert.Equal(["0.0.0.0"], Parse("0.0.0.0"));
    }

    [Theory]
    [InlineData("", "empty entry")]
    [InlineData("127.0.0.1,,127.0.0.2", "empty entry")]
    [InlineData("127.0.0.9-127.0.0.1", "backwards")]
    [InlineData("127.0.0.1-::1", "mixes IPv4 and IPv6")]
    [InlineData("127.0.0.1,::1", "mixes IPv4 and IPv6")]
    [InlineData("localhost", "not an IP address")]
    [InlineData("127.0.0.1-", "not an IP address")]
    [InlineData("127.1", "not an IP address")]
    [InlineData("10.0.0.0-10.1.0.0", "more than 65536")]
    public void Bad_lists_fail_with_a_reason(string text, string reason)
    {
        Assert.False(SourceAddresses.TryParse(text, out var addresses, out string? error));
        Assert.Null(addresses);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Addresses_are_real_IPAddress_values()
    {
        Assert.True(SourceAddresses.TryParse("127.0.0.1-127.0.0.2", out var addresses, out _));
        Assert.Equal(IPAddress.Loopback, addresses[0]);
    }
}
