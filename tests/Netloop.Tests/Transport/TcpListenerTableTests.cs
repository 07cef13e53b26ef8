using System.Net;
using Netloop.Transport;

namespace Netloop.Tests.Transport;

/// <summary>The /proc/net/tcp reader on sample text as the kernel prints it (little-endian words), and the address-overlap rule.</summary>
public class TcpListenerTableTests
{
    // 0.0.0.0:2024 listening; 127.0.0.3:56848 in TIME_WAIT (06, inode 0); 127.0.0.1:8080 listening; 127.0.0.1:8080
    // established (01) to a client; a truncated line.
    private const string Tcp4 = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1062 1 0000000001719f9f 100 0 0 10 0
           1: 0300007F:DE10 0100007F:AD4B 06 00000000:00000000 03:00000D4E 00000000     0        0 0 3 0000000073e9b297
           2: 0100007F:1F90 00000000:0000 0A 00000000:00000080 00:00000000 00000000  1000        0 424242 1 0000000000000000 100 0 0 10 0
           3: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 515151 1 0000000000000000 20 4 30 10 -1
           4: 0100007F:1F90
        """;

    // [::]:8080 listening, [::1]:8080 listening, [::ffff:127.0.0.1]:9000 listening, [::1]:8080 established.
    private const string Tcp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 700 1 0000000000000000 100 0 0 10 0
           1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 701 1 0000000000000000 100 0 0 10 0
           2: 0000000000000000FFFF00000100007F:2328 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 702 1 0000000000000000 100 0 0 10 0
           3: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:D431 01 00000000:00000000 00:00000000 00000000  1000        0 703 1 0000000000000000 20 4 30 10 -1
        """;

    [Fact]
    public void IPv4_table_yields_only_listening_sockets_with_address_port_and_inode()
    {
        var all = TcpListenerTable.ParseListeners(new StringReader(Tcp4)).ToList();

        Assert.Equal(
            [
                new TcpListenerEntry(IPAddress.Any, 2024, 1062),
                new TcpListenerEntry(IPAddress.Loopback, 8080, 424242),
            ],
            all);
    }

    [Fact]
    public void A_port_filter_keeps_the_listeners_on_that_port_only()
    {
        Assert.Equal([new TcpListenerEntry(IPAddress.Loopback, 8080, 424242)], TcpListenerTable.ParseListeners(new StringReader(Tcp4), 8080));
        Assert.Empty(TcpListenerTable.ParseListeners(new StringReader(Tcp4), 56848)); // in TIME_WAIT, not listening
    }

    [Fact]
    public void IPv6_table_yields_wildcard_loopback_and_mapped_addresses()
    {
        var all = TcpListenerTable.ParseListeners(new StringReader(Tcp6)).ToList();

        Assert.Equal(
            [
                new TcpListenerEntry(IPAddress.IPv6Any, 8080, 700),
                new TcpListenerEntry(IPAddress.IPv6Loopback, 8080, 701),
                new TcpListenerEntry(IPAddress.Parse("::ffff:127.0.0.1"), 9000, 702),
            ],
            all);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("127.0.0.1", "0.0.0.0", true)] // a wildcard listener takes our connections
    [InlineData("0.0.0.0", "127.0.0.1", true)] // and we would take theirs
    [InlineData("127.0.0.1", "::", true)] // dual-stack by default on Linux
    [InlineData("::", "127.0.0.1", true)]
    [InlineData("::", "::1", true)]
    [InlineData("::1", "::", true)]
    [InlineData("::1", "::1", true)]
    [InlineData("::1", "0.0.0.0", false)] // an IPv4 wildcard does not cover IPv6
    [InlineData("::1", "127.0.0.1", false)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)] // IPv4-mapped compares as IPv4
    [InlineData("::ffff:127.0.0.1", "0.0.0.0", true)]
    [InlineData("::ffff:127.0.0.1", "127.0.0.2", false)]
    public void Overlap_follows_what_bind_would_call_the_same_address(string ours, string theirs, bool overlaps)
    {
        Assert.Equal(overlaps, TcpListenerTable.Overlaps(IPAddress.Parse(ours), IPAddress.Parse(theirs)));
    }

    [Fact]
    public void Only_a_listener_that_is_not_ours_on_an_overlapping_address_and_the_same_port_counts_as_another()
    {
        var listeners = TcpListenerTable.ParseListeners(new StringReader(Tcp4)).Concat(TcpListenerTable.ParseListeners(new StringReader(Tcp6))).ToList();
        var none = new HashSet<long>();

        Assert.True(PortExclusivity.AnyOther(listeners, new IPEndPoint(IPAddress.Loopback, 8080), none));
        Assert.True(PortExclusivity.AnyOther(listeners, new IPEndPoint(IPAddress.Loopback, 9000), none)); // ::ffff:127.0.0.1
        Assert.True(PortExclusivity.AnyOther(listeners, new IPEndPoint(IPAddress.Parse("127.0.0.5"), 2024), none)); // 0.0.0.0:2024
        Assert.False(PortExclusivity.AnyOther(listeners, new IPEndPoint(IPAddress.Loopback, 7000), none));
        Assert.False(PortExclusivity.AnyOther(listeners, new IPEndPoint(IPAddress.Parse("127.0.0.2"), 9000), none));
        // Our own sockets do not count: 127.0.0.1:8080 is 424242, but [::]:8080 (700) and [::1]:8080 (701) are someone else's.
        Assert.True(PortExclusivity.AnyOther(listeners, new IPEndPoint(IPAddress.Loopback, 8080), new HashSet<long> { 424242 }));
        Assert.False(PortExclusivity.AnyOther(listeners, new IPEndPoint(IPAddress.Loopback, 8080), new HashSet<long> { 424242, 700 }));
        Assert.True(PortExclusivity.AnyOther(listeners, new IPEndPoint(IPAddress.IPv6Loopback, 8080), new HashSet<long> { 700 }));
        Assert.False(PortExclusivity.AnyOther(listeners, new IPEndPoint(IPAddress.IPv6Loopback, 8080), new HashSet<long> { 700, 701 }));
    }

    [Fact]
    public void The_live_table_lists_a_socket_this_process_listens_on()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var found = TcpListenerTable.ReadListeners(port);

        var entry = Assert.Single(found, l => l.Address.Equals(IPAddress.Loopback));
        Assert.Equal(port, entry.Port);
        Assert.True(entry.Inode > 0);
    }
}
