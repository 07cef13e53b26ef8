using System.Net.Sockets;
using Netloop.Baselines;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration;

/// <summary>Counts this process's fds, so nothing else may open or close sockets meanwhile: the collection runs alone.</summary>
[CollectionDefinition(nameof(FdCountingTests), DisableParallelization = true)]
public sealed class FdCountingTests
{
}

[Collection(nameof(FdCountingTests))]
public class ShutdownLeakTests
{
    public static TheoryData<ServerMode> AllModes => new(ServerModes.All.Where(m => !m.IsAsyncDesign()));

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task After_shutdown_fds_are_back_to_baseline_and_no_buffer_is_outstanding(ServerMode mode)
    {
        // A first run opens what the runtime keeps for good (the socket engine's epoll fd and pipe, thread-pool state).
        await RunAsync(mode, clients: 4);
        int baseline = OpenFds();

        await RunAsync(mode, clients: 40);

        Assert.True(await Clients.EventuallyAsync(() => OpenFds() <= baseline, TimeSpan.FromSeconds(10)), $"fds: {OpenFds()} open, baseline {baseline}");
    }

    private static async Task RunAsync(ServerMode mode, int clients)
    {
        var server = TestServer.Start(mode, o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var idle = new List<Socket>();
        try
        {
            var echoes = Enumerable.Range(0, clients).Select(async i =>
            {
                var payload = Clients.RandomBytes(20_000, i);
                Assert.Equal(payload, await Clients.EchoAsync(server.EndPoint, payload, i));
            });
            await Task.WhenAll(echoes);
            if (mode != ServerMode.Serial)
            {
                // Connections still open at shutdown, one of them with a request half-sent.
                for (int i = 0; i < 5; i++) idle.Add(await Clients.ConnectAsync(server.EndPoint));
                await idle[0].SendAsync(new byte[] { 1, 2, 3 });
                Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().Active == 5, Clients.Patience));
            }
        }
        finally
        {
            await server.Server.StopAsync().WaitAsync(Clients.Patience);
            idle.ForEach(s => s.Dispose());
        }
        var stats = server.Server.GetStats();
        Assert.Equal(0, stats.BuffersOutstanding);
        Assert.Equal(0, stats.Active);
        Assert.Empty(server.Logs.Errors);
    }

    private static int OpenFds() => Directory.GetFiles("/proc/self/fd").Length;
}
