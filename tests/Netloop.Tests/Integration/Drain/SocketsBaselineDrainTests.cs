using Netloop.Baselines;
using Netloop.Protocols.Http1;
using Netloop.Tests.Support;
using static Netloop.Tests.Integration.Drain.DrainClient;

namespace Netloop.Tests.Integration.Drain;

/// <summary>
/// The <c>sockets</c> baseline at a graceful stop: a request already in the kernel when the stop lands is read and
/// answered before the close, as the reactor does, instead of the close resetting its client.
/// </summary>
public sealed class SocketsBaselineDrainTests
{
    [Fact]
    public async Task Requests_in_the_kernel_when_the_stop_lands_are_answered_and_no_client_is_reset()
    {
        var server = TestServer.Start(ServerMode.Sockets, o => o.ShutdownTimeout = TimeSpan.FromSeconds(10), new HttpProtocolFactory(ctx =>
        {
            ctx.Response.WriteText("answered");
            return ValueTask.CompletedTask;
        }));
        var clients = new List<DrainClient>();
        for (int i = 0; i < 32; i++)
        {
            var client = await DrainClient.ConnectAsync(server.EndPoint);
            Assert.Equal(Outcome.Answered, await client.RequestAsync());
            clients.Add(client);
        }

        // Every request is sent (in the server's kernel) before the stop; none is answered yet when it lands.
        var pending = new List<Task<Outcome>>();
        foreach (var client in clients) pending.Add(client.RequestAsync());
        await server.Server.StopAsync().WaitAsync(Clients.Patience);
        var outcomes = await Task.WhenAll(pending).WaitAsync(Clients.Patience);

        Assert.All(outcomes, o => Assert.True(o is Outcome.Answered or Outcome.AnsweredClose, $"got {o}"));
        foreach (var client in clients)
        {
            Assert.True(await client.ClosedCleanlyAsync());
            client.Dispose();
        }
    }
}
