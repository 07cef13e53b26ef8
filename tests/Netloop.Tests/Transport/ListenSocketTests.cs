using System.Net;
using System.Net.Sockets;
using Netloop.Native;
using Netloop.Transport;

namespace Netloop.Tests.Transport;

/// <summary>Opening listening sockets on loopback: the bound address reported, and bind errors as one clear exception.</summary>
public class ListenSocketTests
{
    [Fact]
    public void Port_zero_is_resolved_to_the_port_the_kernel_chose()
    {
        int fd = ListenSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), reusePort: false, backlog: 16, out var bound);
        try
        {
            Assert.Equal(IPAddress.Loopback, bound.Address);
            Assert.NotEqual(0, bound.Port);
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(bound); // it listens: the kernel completes the handshake from the backlog
        }
        finally
        {
            Sys.Close(fd);
        }
    }

    [Fact]
    public void A_port_held_by_another_socket_is_reported_as_in_use()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        var taken = (IPEndPoint)holder.LocalEndPoint!;

        var error = Assert.Throws<AddressInUseException>(() => ListenSocket.Open(taken, reusePort: false, backlog: 16, out _));

        Assert.Equal(taken, error.EndPoint);
        Assert.Equal($"address 127.0.0.1:{taken.Port} is already in use", error.Message);
    }

    [Fact]
    public void Asking_to_share_a_port_does_not_take_it_from_a_socket_that_did_not_share_it()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        var taken = (IPEndPoint)holder.LocalEndPoint!;

        // SO_REUSEPORT only shares between sockets that all set it (socket(7)).
        Assert.Throws<AddressInUseException>(() => ListenSocket.Open(taken, reusePort: true, backlog: 16, out _));
    }

    [Fact]
    public void An_address_of_another_machine_is_refused_with_a_clear_message()
    {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this machine.
        var remote = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 0);

        var error = Assert.Throws<NetloopException>(() => ListenSocket.Open(remote, reusePort: false, backlog: 16, out _));

        Assert.Equal("address 192.0.2.1 is not an address of this machine", error.Message);
    }

    [Fact]
    public void A_failed_open_leaks_no_descriptor()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        var taken = (IPEndPoint)holder.LocalEndPoint!;
        int before = Directory.GetFiles("/proc/self/fd").Length;

        for (int i = 0; i < 50; i++) Assert.ThrowsAny<NetloopException>(() => ListenSocket.Open(taken, reusePort: false, backlog: 16, out _));

        // Other tests open fds in parallel, so allow slack; 50 leaked sockets would stand out.
        Assert.InRange(Directory.GetFiles("/proc/self/fd").Length - before, int.MinValue, 20);
    }
}
