using System.Net.Sockets;
using Netloop.Baselines;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration;

public class ConnectionLifetimeTests
{
    public static TheoryData<ServerMode> AllModes => new(ServerModes.All.Where(m => !m.IsAsyncDesign()));

    public static TheoryData<ServerMode> ConcurrentModes => new(ServerModes.All.Where(m => m != ServerMode.Serial && !m.IsAsyncDesign()));

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout(ServerMode mode)
    {
        await using var server = TestServer.Start(mode, o => o.IdleTimeout = TimeSpan.FromMilliseconds(300));
        using var socket = await Clients.ConnectAsync(server.EndPoint);
        Assert.True(await Clients.WaitForCloseAsync(socket, Clients.Patience), "the idle connection was not closed");
        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().IdleTimeouts == 1, Clients.Patience));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Data_and_FIN_arriving_together_get_the_echo_and_the_close_without_waiting_for_the_idle_timeout(ServerMode mode)
    {
        // Hundreds of clients that write and half-close at once: many of their data and FIN reach the server in one
        // readiness event (often before it even accepts), where a short read must not be taken as "drained".
        await using var server = TestServer.Start(mode, o =>
        {
            o.Loops = 1;
            o.IdleTimeout = TimeSpan.FromHours(1);
        });
        var clients = Enumerable.Range(0, mode == ServerMode.Serial ? 50 : 300).Select(async i =>
        {
            using var socket = await Clients.ConnectAsync(server.EndPoint);
            var line = System.Text.Encoding.ASCII.GetBytes($"line {i}\n");
            await socket.SendAsync(line);
            socket.Shutdown(SocketShutdown.Send);
            var echoed = new byte[line.Length];
            await Clients.ReadExactlyAsync(socket, echoed);
            Assert.Equal(line, echoed);
            return await Clients.WaitForCloseAsync(socket, TimeSpan.FromSeconds(30));
        }).ToArray();

        var closed = await Task.WhenAll(clients).WaitAsync(Clients.Patience);

        Assert.All(closed, Assert.True);
        Assert.Equal(0, server.Server.GetStats().IdleTimeouts);
    }

    [Theory]
    [MemberData(nameof(ConcurrentModes))]
    public async Task Beyond_max_connections_a_new_client_is_closed_and_the_first_keep_working(ServerMode mode)
    {
        await using var server = TestServer.Start(mode, o => o.MaxConnections = 50);
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < 50; i++)
            {
                var s = await Clients.ConnectAsync(server.EndPoint);
                sockets.Add(s);
                await RoundTripAsync(s, i); // proves the server accepted and counts it
            }

            using var extra = await Clients.ConnectAsync(server.EndPoint);
            Assert.True(await Clients.WaitForCloseAsync(extra, Clients.Patience), "the 51st client was not closed");
            Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().Rejected == 1, Clients.Patience));

            for (int i = 0; i < sockets.Count; i++) await RoundTripAsync(sockets[i], 100 + i);
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task A_peer_reset_mid_transfer_leaves_the_server_serving_others(ServerMode mode)
    {
        await using var server = TestServer.Start(mode);
        for (int round = 0; round < 5; round++)
        {
            var victim = await Clients.ConnectAsync(server.EndPoint);
            var big = Clients.RandomBytes(1024 * 1024, round);
            // Send without reading so the server is mid-echo, then reset (SO_LINGER 0 turns close into RST).
            var sending = victim.SendAsync(big);
            await Task.WhenAny(sending, Task.Delay(50));
            victim.LingerState = new LingerOption(true, 0);
            victim.Dispose();
            await Task.WhenAny(sending);
        }

        var payload = Clients.RandomBytes(100_000, 42);
        Assert.Equal(payload, await Clients.EchoAsync(server.EndPoint, payload, seed: 42));
        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().Active == 0, Clients.Patience));
        Assert.Empty(server.Logs.Errors);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Starting_on_a_port_in_use_fails_with_a_clear_error(ServerMode mode)
    {
        var holder = new TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        try
        {
            int port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
            var options = new ServerOptions { Port = port, Loops = 1 };
            var server = ModeServer.Create(mode, options, Netloop.Protocols.Echo.EchoProtocol.Instance);
            var error = Assert.Throws<AddressInUseException>(server.Start);
            Assert.Equal($"address 127.0.0.1:{port} is already in use", error.Message);
        }
        finally
        {
            holder.Stop();
        }
    }

    [Theory]
    [MemberData(nameof(ConcurrentModes))]
    public async Task Stop_closes_a_connection_whose_peer_never_reads_once_the_shutdown_timeout_passes(ServerMode mode)
    {
        var server = TestServer.Start(mode, o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(500));
        using var stuck = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stuck.ConnectAsync(server.EndPoint);
        var flood = Clients.RandomBytes(4 * 1024 * 1024, 3);
        var sending = stuck.SendAsync(flood);
        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().BytesReceived > 256 * 1024, Clients.Patience));

        await server.Server.StopAsync().WaitAsync(Clients.Patience);
        Assert.Equal(0, server.Server.GetStats().Active);
        Assert.Equal(0, server.Server.GetStats().BuffersOutstanding);
        Assert.True(await Clients.WaitForCloseAsync(stuck, Clients.Patience));
        await Task.WhenAny(sending);
    }

    [Theory]
    [InlineData(ServerMode.Epoll)]
    [InlineData(ServerMode.Poll)]
    [InlineData(ServerMode.Sockets)]
    public async Task Idle_connections_hold_no_pooled_buffer(ServerMode mode)
    {
        await using var server = TestServer.Start(mode);
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < 100; i++)
            {
                var s = await Clients.ConnectAsync(server.EndPoint);
                sockets.Add(s);
                await RoundTripAsync(s, i);
            }
            Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().BuffersOutstanding == 0, Clients.Patience),
                $"{server.Server.GetStats().BuffersOutstanding} blocks held by 100 idle connections");
            Assert.Equal(100, server.Server.GetStats().Active);
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    private static async Task RoundTripAsync(Socket socket, int seed)
    {
        var message = Clients.RandomBytes(100, seed);
        await socket.SendAsync(message).WaitAsync(Clients.Patience);
        var back = new byte[message.Length];
        await Clients.ReadExactlyAsync(socket, back).WaitAsync(Clients.Patience);
        Assert.Equal(message, back);
    }
}
