using System.Net;
using System.Net.Sockets;
using System.Text;
using Netloop.Baselines;
using Netloop.Protocols.Echo;
using Netloop.Protocols.Http1;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration;

/// <summary>
/// Per-IP limits over real sockets: clients bind 127.0.0.2, 127.0.0.3 … as their source address (all of 127/8 is the
/// loopback on Linux), so one test plays several client hosts against a server on 127.0.0.1.
/// </summary>
public sealed class PerIpLimitTests
{
    private static async Task<Socket> ConnectFromAsync(string source, IPEndPoint server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
        using var cts = new CancellationTokenSource(Clients.Patience);
        await socket.ConnectAsync(server, cts.Token);
        return socket;
    }

    private static async Task<bool> EchoesAsync(Socket socket)
    {
        byte[] ping = "ping"u8.ToArray();
        try
        {
            await socket.SendAsync(ping);
            var reply = new byte[ping.Length];
            await Clients.ReadExactlyAsync(socket, reply).WaitAsync(Clients.Patience);
            return reply.AsSpan().SequenceEqual(ping);
        }
        catch (Exception e) when (e is SocketException or EndOfStreamException)
        {
            return false;
        }
    }

    [Theory]
    [InlineData(ServerMode.Epoll)]
    [InlineData(ServerMode.Poll)]
    public async Task The_third_connection_from_one_address_is_closed_while_another_address_still_connects(ServerMode mode)
    {
        await using var server = TestServer.Start(mode, o => o.PerIpLimits.MaxConnectionsPerIp = 2);
        using var a1 = await ConnectFromAsync("127.0.0.2", server.EndPoint);
        using var a2 = await ConnectFromAsync("127.0.0.2", server.EndPoint);
        Assert.True(await EchoesAsync(a1));
        Assert.True(await EchoesAsync(a2));

        using var a3 = await ConnectFromAsync("127.0.0.2", server.EndPoint);
        Assert.True(await Clients.WaitForCloseAsync(a3, Clients.Patience), "the third connection from 127.0.0.2 was served");

        using var b1 = await ConnectFromAsync("127.0.0.3", server.EndPoint);
        using var b2 = await ConnectFromAsync("127.0.0.3", server.EndPoint);
        Assert.True(await EchoesAsync(b1));
        Assert.True(await EchoesAsync(b2));
        Assert.True(await EchoesAsync(a1), "the address's open connections are unaffected");

        var stats = server.Server.GetStats();
        Assert.Equal(1, stats.RejectedPerIp);
        Assert.Equal(0, stats.PerIpTableFull);

        // A closed connection gives its place back (once the server has seen the close).
        a1.Close();
        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().Active == 3, Clients.Patience));
        using var a4 = await ConnectFromAsync("127.0.0.2", server.EndPoint);
        Assert.True(await EchoesAsync(a4));
    }

    [Fact]
    public async Task A_full_table_refuses_new_addresses_and_counts_them()
    {
        await using var server = TestServer.Start(ServerMode.Epoll, o =>
        {
            o.PerIpLimits.MaxConnectionsPerIp = 100;
            o.PerIpLimits.MaxTrackedAddresses = 3;
        });
        var open = new List<Socket>();
        try
        {
            for (int i = 2; i <= 4; i++)
            {
                open.Add(await ConnectFromAsync($"127.0.0.{i}", server.EndPoint));
                Assert.True(await EchoesAsync(open[^1]));
            }
            using var fourth = await ConnectFromAsync("127.0.0.5", server.EndPoint);
            Assert.True(await Clients.WaitForCloseAsync(fourth, Clients.Patience), "a fourth address got into a table of three");
            Assert.Equal(1, server.Server.GetStats().PerIpTableFull);
            using var known = await ConnectFromAsync("127.0.0.3", server.EndPoint);
            Assert.True(await EchoesAsync(known));
        }
        finally
        {
            foreach (var socket in open) socket.Dispose();
        }
    }

    private static HttpProtocolFactory Hello() => new(ctx =>
    {
        ctx.Response.WriteText("hello");
        return ValueTask.CompletedTask;
    });

    /// <summary>Sends a GET on <paramref name="socket"/> and reads one whole response (head and Content-Length body).</summary>
    private static async Task<string> GetAsync(Socket socket)
    {
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        var received = new MemoryStream();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(Clients.Patience);
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0) break;
            received.Write(buffer, 0, n);
            string text = Encoding.ASCII.GetString(received.ToArray());
            int headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd < 0) continue;
            string? length = AppHarness.Header(text, "Content-Length");
            if (length is not null && text.Length - headEnd - 4 >= int.Parse(length, System.Globalization.CultureInfo.InvariantCulture)) break;
        }
        return Encoding.ASCII.GetString(received.ToArray());
    }

    [Theory]
    [InlineData(ServerMode.Epoll)]
    [InlineData(ServerMode.Poll)]
    public async Task Requests_past_an_address_budget_get_429_with_Retry_After_and_another_address_is_served(ServerMode mode)
    {
        // One a minute, two saved up: the third request within the minute is refused, whatever the test machine's speed.
        await using var server = TestServer.Start(mode, o =>
        {
            o.PerIpLimits.RequestsPerSecond = 1.0 / 60;
            o.PerIpLimits.Burst = 2;
        }, Hello());
        using var a = await ConnectFromAsync("127.0.0.2", server.EndPoint);
        Assert.StartsWith("HTTP/1.1 200", await GetAsync(a));
        Assert.StartsWith("HTTP/1.1 200", await GetAsync(a));
        string refused = await GetAsync(a);
        Assert.StartsWith("HTTP/1.1 429 Too Many Requests", refused);
        int retryAfter = int.Parse(AppHarness.Header(refused, "Retry-After")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);

        // A new connection from the same address spends the same budget; the connection that was refused stays open.
        using var a2 = await ConnectFromAsync("127.0.0.2", server.EndPoint);
        Assert.StartsWith("HTTP/1.1 429", await GetAsync(a2));
        Assert.StartsWith("HTTP/1.1 429", await GetAsync(a));

        using var b = await ConnectFromAsync("127.0.0.3", server.EndPoint);
        Assert.StartsWith("HTTP/1.1 200", await GetAsync(b));
        Assert.Equal(3, server.Server.GetStats().RateLimited);
    }

    /// <summary>
    /// A server on [::1] (this test needs the IPv6 loopback; it fails rather than skips without it): IPv6 clients are
    /// counted by their /64, so the third ::1 connection is closed as for one IPv4 address.
    /// </summary>
    [Theory]
    [InlineData(ServerMode.Epoll)]
    [InlineData(ServerMode.Poll)]
    public async Task IPv6_loopback_clients_share_one_64_entry_and_the_third_connection_is_closed(ServerMode mode)
    {
        await using var server = TestServer.Start(mode, o =>
        {
            o.Address = IPAddress.IPv6Loopback;
            o.PerIpLimits.MaxConnectionsPerIp = 2;
        });
        Assert.Equal(AddressFamily.InterNetworkV6, server.EndPoint.AddressFamily);
        using var c1 = await Clients.ConnectAsync(server.EndPoint);
        using var c2 = await Clients.ConnectAsync(server.EndPoint);
        Assert.True(await EchoesAsync(c1));
        Assert.True(await EchoesAsync(c2));

        using var c3 = await Clients.ConnectAsync(server.EndPoint);
        Assert.True(await Clients.WaitForCloseAsync(c3, Clients.Patience), "the third ::1 connection was served");
        Assert.True(await EchoesAsync(c1), "the address's open connections are unaffected");
        Assert.Equal(1, server.Server.GetStats().RejectedPerIp);

        c2.Close();
        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().Active == 1, Clients.Patience));
        using var c4 = await Clients.ConnectAsync(server.EndPoint);
        Assert.True(await EchoesAsync(c4));
    }

    [Fact]
    public void The_baselines_refuse_per_IP_limits_with_a_clear_error()
    {
        var options = new ServerOptions { Port = 0, PerIpLimits = { MaxConnectionsPerIp = 1 } };
        var e = Assert.Throws<ArgumentException>(() => ModeServer.Create(ServerMode.Threads, options, EchoProtocol.Instance));
        Assert.Contains("per-IP limits", e.Message, StringComparison.Ordinal);
    }
}
