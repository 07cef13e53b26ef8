using Netloop.Baselines;
using System.Net;
using System.Net.Sockets;
using Netloop.Protocols.Echo;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration;

/// <summary>
/// A port is a server's alone unless it sets <see cref="ServerOptions.ReusePort"/>: even a listener with SO_REUSEPORT
/// (which the kernel would let our loops join) makes <see cref="NetloopServer.Start"/> throw. In-process, real sockets.
/// </summary>
public class PortExclusivityTests
{
    public static TheoryData<ServerMode> AllModes => new(Enum.GetValues<ServerMode>().Where(m => !m.IsAsyncDesign()));

    public static TheoryData<ServerMode> ReactorModes => new(ServerMode.Epoll, ServerMode.Poll);

    [Theory]
    [MemberData(nameof(AllModes))]
    public void A_port_held_by_a_reuseport_listener_is_in_use_for_a_server_that_did_not_ask_to_share(ServerMode mode)
    {
        using var holder = ReusePortListener(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)holder.LocalEndPoint!).Port;

        var server = ModeServer.Create(mode, new ServerOptions { Port = port, Loops = 2 }, EchoProtocol.Instance);

        var error = Assert.Throws<AddressInUseException>(server.Start);
        Assert.Equal($"address 127.0.0.1:{port} is already in use", error.Message);
    }

    [Theory]
    [MemberData(nameof(ReactorModes))]
    public void A_wildcard_listener_makes_the_loopback_address_in_use(ServerMode mode)
    {
        using var holder = ReusePortListener(new IPEndPoint(IPAddress.Any, 0));
        int port = ((IPEndPoint)holder.LocalEndPoint!).Port;

        var server = ModeServer.Create(mode, new ServerOptions { Port = port, Loops = 2 }, EchoProtocol.Instance);

        Assert.Throws<AddressInUseException>(server.Start);
    }

    [Fact]
    public void A_dual_stack_wildcard_listener_makes_an_IPv4_address_in_use_and_an_IPv6_one_too()
    {
        if (!System.Net.Sockets.Socket.OSSupportsIPv6) return; // no IPv6 on this machine: nothing to listen on
        using var holder = ReusePortListener(new IPEndPoint(IPAddress.IPv6Any, 0));
        int port = ((IPEndPoint)holder.LocalEndPoint!).Port;

        var v4 = new NetloopServer(new ServerOptions { Port = port, Loops = 2 }, EchoProtocol.Instance);
        var v6 = new NetloopServer(new ServerOptions { Address = IPAddress.IPv6Loopback, Port = port, Loops = 2 }, EchoProtocol.Instance);

        Assert.Throws<AddressInUseException>(v4.Start);
        var error = Assert.Throws<AddressInUseException>(v6.Start);
        Assert.Equal($"address [::1]:{port} is already in use", error.Message);
    }

    [Theory]
    [MemberData(nameof(ReactorModes))]
    public async Task A_second_server_on_the_port_of_a_first_is_refused_and_the_first_serves_on(ServerMode mode)
    {
        await using var first = TestServer.Start(mode, o => o.Loops = 3);
        var second = ModeServer.Create(mode, new ServerOptions { Port = first.EndPoint.Port, Loops = 3 }, EchoProtocol.Instance);

        var error = Assert.Throws<AddressInUseException>(second.Start);
        Assert.Equal(first.EndPoint, error.EndPoint);

        // The refused server closed what it had bound: every connection still reaches the first one.
        for (int i = 0; i < 20; i++)
        {
            var payload = Clients.RandomBytes(64, i);
            Assert.Equal(payload, await Clients.EchoAsync(first.EndPoint, payload, seed: i));
        }
        Assert.True(await Clients.EventuallyAsync(() => first.Server.GetStats().Accepted == 20, Clients.Patience));
    }

    [Theory]
    [MemberData(nameof(ReactorModes))]
    public async Task Servers_that_both_set_ReusePort_share_the_port(ServerMode mode)
    {
        await using var first = TestServer.Start(mode, o => o.ReusePort = true);
        await using var second = TestServer.Start(mode, o =>
        {
            o.ReusePort = true;
            o.Port = first.EndPoint.Port;
        });

        Assert.Equal(first.EndPoint, second.EndPoint);
        // The kernel hashes each connection's addresses to one listener of the group: 64 clients reach both servers
        // unless every hash lands on one side (odds 2 in 2^64).
        for (int i = 0; i < 64; i++)
        {
            var payload = Clients.RandomBytes(16, i);
            Assert.Equal(payload, await Clients.EchoAsync(first.EndPoint, payload, seed: i));
        }
        Assert.True(await Clients.EventuallyAsync(() => first.Server.GetStats().Accepted + second.Server.GetStats().Accepted == 64, Clients.Patience));
        Assert.True(first.Server.GetStats().Accepted > 0);
        Assert.True(second.Server.GetStats().Accepted > 0);
    }

    [Theory]
    [MemberData(nameof(ReactorModes))]
    public async Task A_server_that_shares_is_still_refused_by_a_listener_that_did_not_ask_to_share(ServerMode mode)
    {
        await using var exclusive = TestServer.Start(mode, o => o.Loops = 1);
        var sharing = ModeServer.Create(mode, new ServerOptions { Port = exclusive.EndPoint.Port, Loops = 2, ReusePort = true }, EchoProtocol.Instance);

        Assert.Throws<AddressInUseException>(sharing.Start);
    }

    [Fact]
    public async Task An_app_on_a_port_another_app_serves_fails_to_start_with_the_one_line_message()
    {
        await using var first = Netloop.Tests.Integration.Http.HttpTestApp.Start(app => app.MapGet("/", c => c.Response.WriteText("first")));
        var builder = NetloopServer.CreateBuilder(["--port", first.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--loops", "2"]);
        var second = builder.Build();
        second.MapGet("/", c => c.Response.WriteText("second"));

        // Start throws; RunAsync writes the same message as one "netloop: …" line and sets the exit code (RunAsyncTests).
        var error = Assert.Throws<AddressInUseException>(second.Start);

        Assert.Equal($"address 127.0.0.1:{first.EndPoint.Port} is already in use", error.Message);
    }

    private static Socket ReusePortListener(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.SetRawSocketOption(Netloop.Native.Constants.SOL_SOCKET, Netloop.Native.Constants.SO_REUSEPORT, BitConverter.GetBytes(1));
        socket.Bind(endPoint);
        socket.Listen();
        return socket;
    }
}
