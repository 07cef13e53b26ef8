using System.Net;
using Netloop.Native;
using Netloop.Transport.PerIp;

namespace Netloop.Tests.Transport.PerIp;

/// <summary>The per-IP table's key: IPv4 as is, IPv6 by its prefix, IPv4-mapped IPv6 as IPv4.</summary>
public sealed class AddressKeyTests
{
    private static AddressKey Key(string address, int prefix = 64) => AddressKey.From(IPAddress.Parse(address), prefix);

    [Fact]
    public void IPv6_addresses_of_one_64_prefix_share_a_key_and_another_prefix_does_not()
    {
        Assert.Equal(Key("2001:db8:1:2::1"), Key("2001:db8:1:2:ffff:eeee:dddd:cccc"));
        Assert.NotEqual(Key("2001:db8:1:2::1"), Key("2001:db8:1:3::1"));
    }

    [Fact]
    public void The_prefix_length_is_configurable()
    {
        // /48: the fourth group no longer matters; /128: every address is its own.
        Assert.Equal(Key("2001:db8:1:2::1", 48), Key("2001:db8:1:ffff::9", 48));
        Assert.NotEqual(Key("2001:db8:1:2::1", 48), Key("2001:db8:2:2::1", 48));
        Assert.NotEqual(Key("2001:db8:1:2::1", 128), Key("2001:db8:1:2::2", 128));
        Assert.Equal(Key("2001:db8:1:2::1", 0), Key("fe80::1", 0));
        // A prefix inside the low half: /96 keeps bits 64-95.
        Assert.Equal(Key("2001:db8::1:2:0:1", 96), Key("2001:db8::1:2:ffff:ffff", 96));
        Assert.NotEqual(Key("2001:db8::1:2:0:1", 96), Key("2001:db8::1:3:0:1", 96));
    }

    [Fact]
    public void IPv4_addresses_are_distinct_and_never_masked()
    {
        Assert.NotEqual(Key("127.0.0.2"), Key("127.0.0.3"));
        Assert.True(Key("127.0.0.2").IsIpv4);
        Assert.Equal("127.0.0.2", Key("127.0.0.2").ToString());
    }

    [Fact]
    public void An_IPv4_mapped_IPv6_address_is_the_IPv4_address_whatever_the_prefix()
    {
        Assert.Equal(Key("10.1.2.3"), Key("::ffff:10.1.2.3", 64));
        Assert.Equal(Key("10.1.2.3"), Key("::ffff:10.1.2.3", 16));
        Assert.NotEqual(Key("::ffff:10.1.2.3"), Key("::ffff:10.1.2.4"));
    }

    [Fact]
    public void A_sockaddr_gives_the_same_key_as_its_IPAddress()
    {
        foreach (var text in new[] { "127.0.0.9", "2001:db8:1:2::77", "::ffff:192.0.2.1" })
        {
            var sockaddr = SocketAddressBuffer.From(new IPEndPoint(IPAddress.Parse(text), 4321));
            Assert.Equal(Key(text), AddressKey.From(sockaddr, 64));
        }
    }
}
