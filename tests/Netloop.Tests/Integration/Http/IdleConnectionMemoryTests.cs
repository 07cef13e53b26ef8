using System.Net.Sockets;
using System.Text;
using Netloop.Baselines;
using Netloop.Buffers;
using Netloop.Protocols.Http1;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration.Http;

/// <summary>
/// Many keep-alive connections answered at once, then left idle: each reply leaves its pooled block at once (the
/// connection is flushed when its readiness event is handled, not at the end of the batch), so a loop's pool never holds
/// more than a couple of blocks however many connections were readable together, and the idle ones hold none.
/// </summary>
public class IdleConnectionMemoryTests
{
    private static readonly HttpProtocolFactory s_app = new(context =>
    {
        context.Response.WriteText("Hello, World!");
        return ValueTask.CompletedTask;
    });

    [Theory]
    [InlineData(ServerMode.Epoll)]
    [InlineData(ServerMode.Poll)]
    public async Task Three_hundred_requests_at_once_use_a_few_blocks_per_loop_and_idle_connections_hold_none(ServerMode mode)
    {
        const int connections = 300;
        await using var server = TestServer.Start(mode, protocol: s_app);
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < connections; i++) sockets.Add(await Clients.ConnectAsync(server.EndPoint));
            var request = "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray();
            // Two rounds: the second comes to connections that went idle after the first.
            for (int round = 0; round < 2; round++)
            {
                await Task.WhenAll(sockets.Select(s => s.SendAsync(request, SocketFlags.None)));
                var responses = await Task.WhenAll(sockets.Select(s => HttpSmokeTests.ReadResponsesAsync(s, 1)));
                Assert.All(responses, r => Assert.EndsWith("Hello, World!", r));
            }

            var stats = server.Server.GetStats();
            // Two loops, each at most one reply block out at a time (two for slack), whatever the batch sizes were.
            Assert.InRange(stats.PeakBufferBytes, 1, 2 * 2 * BufferChain.DefaultBlockSize);
            Assert.Equal(0, stats.BuffersOutstanding);
            Assert.Equal(connections, stats.Active);
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
    }
}
