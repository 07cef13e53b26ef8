using Netloop.Baselines;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration;

public class EchoTests
{
    public static TheoryData<ServerMode> AllModes => new(ServerModes.All);

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Two_hundred_concurrent_clients_get_64KiB_back_byte_exact(ServerMode mode)
    {
        await using var server = TestServer.Start(mode);
        var clients = Enumerable.Range(0, 200).Select(async i =>
        {
            var payload = Clients.RandomBytes(64 * 1024, seed: i);
            var echoed = await Clients.EchoAsync(server.EndPoint, payload, seed: 1000 + i);
            Assert.Equal(payload, echoed);
        });
        await Task.WhenAll(clients);
        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().Active == 0, Clients.Patience));
        var stats = server.Server.GetStats();
        Assert.Equal(200, stats.Accepted);
        Assert.Equal(200L * 64 * 1024, stats.BytesReceived);
        Assert.Equal(200L * 64 * 1024, stats.BytesSent);
        Assert.Empty(server.Logs.Errors);
    }

    [Theory]
    [InlineData(ServerMode.Epoll)]
    [InlineData(ServerMode.Poll)]
    public async Task One_loop_serves_many_clients_with_a_tiny_payload_each(ServerMode mode)
    {
        await using var server = TestServer.Start(mode, o => o.Loops = 1);
        var clients = Enumerable.Range(0, 500).Select(async i =>
        {
            var payload = Clients.RandomBytes(1 + i % 300, seed: i);
            Assert.Equal(payload, await Clients.EchoAsync(server.EndPoint, payload, seed: i, maxChunk: 7));
        });
        await Task.WhenAll(clients);
    }

    [Fact]
    public async Task Serves_on_IPv6_loopback()
    {
        await using var server = TestServer.Start(ServerMode.Epoll, o => o.Address = System.Net.IPAddress.IPv6Loopback);
        var payload = Clients.RandomBytes(10_000, 9);
        Assert.Equal(payload, await Clients.EchoAsync(server.EndPoint, payload, seed: 9));
    }
}
