using System.Net.Sockets;
using Netloop.Baselines;
using Netloop.Http;
using Netloop.Protocols.Http1;
using Netloop.Tests.Support;
using static Netloop.Tests.Integration.Drain.DrainClient;

namespace Netloop.Tests.Integration.Drain;

/// <summary>
/// The graceful stop on real sockets: keep-alive clients busy at the stop get every request answered (the last one
/// with <c>Connection: close</c>) and a clean close, never a short read or a reset; a request sent during the drain
/// grace is answered; an idle connection is closed cleanly when the grace ends.
/// </summary>
public sealed class GracefulDrainTests
{
    private static HttpProtocolFactory Plaintext() => new(ctx =>
    {
        ctx.Response.WriteText("Hello, World!");
        return ValueTask.CompletedTask;
    });

    public static TheoryData<ServerMode> Modes => new(ServerMode.Epoll, ServerMode.Poll);

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Keep_alive_clients_busy_at_the_stop_get_every_request_answered_and_a_clean_close(ServerMode mode)
    {
        var server = TestServer.Start(mode, o => o.ShutdownDrainGrace = TimeSpan.FromSeconds(1), Plaintext());
        var clients = new List<DrainClient>();
        for (int i = 0; i < 16; i++) clients.Add(await DrainClient.ConnectAsync(server.EndPoint));
        using var stop = new CancellationTokenSource();
        var loops = clients.Select(async client =>
        {
            // Requests back to back until the server says it closes; the stop lands somewhere in between.
            for (int i = 0; i < 100_000; i++)
            {
                var outcome = await client.RequestAsync();
                if (outcome != Outcome.Answered) return (outcome, clean: outcome == Outcome.AnsweredClose && await client.ClosedCleanlyAsync());
            }
            return (Outcome.Answered, clean: false);
        }).ToList();
        await Clients.EventuallyAsync(() => clients.All(c => c.Answered > 10), Clients.Patience);

        await server.Server.StopAsync().WaitAsync(Clients.Patience);
        var results = await Task.WhenAll(loops).WaitAsync(Clients.Patience);

        Assert.All(results, r => Assert.Equal((Outcome.AnsweredClose, true), r));
        Assert.Equal(0, server.Server.GetStats().Resets);
        Assert.Empty(server.Logs.Errors);
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task A_request_sent_during_the_drain_grace_is_answered_with_connection_close()
    {
        var server = TestServer.Start(ServerMode.Epoll, o =>
        {
            o.Loops = 1;
            o.ShutdownDrainGrace = TimeSpan.FromSeconds(30);
            o.ShutdownTimeout = TimeSpan.FromSeconds(40);
        }, Plaintext());
        using var client = await DrainClient.ConnectAsync(server.EndPoint);
        Assert.Equal(Outcome.Answered, await client.RequestAsync());

        var stopping = server.Server.StopAsync();
        // The listener closes when the drain begins: a refused connect says it has.
        Assert.True(await Clients.EventuallyAsync(() => !CanConnect(server), Clients.Patience));
        Assert.Equal(Outcome.AnsweredClose, await client.RequestAsync());
        Assert.True(await client.ClosedCleanlyAsync());
        await stopping.WaitAsync(Clients.Patience);
        Assert.Equal(0, server.Server.GetStats().Active);
    }

    [Fact]
    public async Task An_idle_connection_is_closed_cleanly_when_the_drain_grace_ends()
    {
        var server = TestServer.Start(ServerMode.Epoll, o => o.ShutdownDrainGrace = TimeSpan.FromMilliseconds(100), Plaintext());
        using var client = await DrainClient.ConnectAsync(server.EndPoint);
        Assert.Equal(Outcome.Answered, await client.RequestAsync());
        using var fresh = await Clients.ConnectAsync(server.EndPoint); // never sends a byte
        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().Active == 2, Clients.Patience));

        await server.Server.StopAsync().WaitAsync(Clients.Patience);

        Assert.True(await client.ClosedCleanlyAsync());
        Assert.Equal(0, await fresh.ReceiveAsync(new byte[16].AsMemory()).AsTask().WaitAsync(Clients.Patience));
        var stats = server.Server.GetStats();
        Assert.Equal(0, stats.Active);
        Assert.Equal(0, stats.Resets);
    }

    private static bool CanConnect(TestServer server)
    {
        using var probe = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Connect(server.EndPoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
