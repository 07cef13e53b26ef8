using System.Net.Sockets;
using Netloop.Baselines;
using Netloop.Reactor;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration;

public class BackpressureTests
{
    [Theory]
    [InlineData(ServerMode.Epoll)]
    [InlineData(ServerMode.Poll)]
    public async Task A_slow_reader_gets_16MiB_back_exact_while_server_memory_stays_bounded(ServerMode mode)
    {
        const int highWater = 64 * 1024;
        await using var server = TestServer.Start(mode, o => o.OutputHighWaterMark = highWater);
        var payload = Clients.RandomBytes(16 * 1024 * 1024, seed: 77);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 16 * 1024 };
        await socket.ConnectAsync(server.EndPoint).WaitAsync(Clients.Patience);

        var sender = Task.Run(async () =>
        {
            for (int offset = 0; offset < payload.Length; offset += 32 * 1024)
            {
                await socket.SendAsync(payload.AsMemory(offset, Math.Min(32 * 1024, payload.Length - offset)));
            }
            socket.Shutdown(SocketShutdown.Send);
        });

        var received = new byte[payload.Length];
        int total = 0;
        int reads = 0;
        while (total < received.Length)
        {
            int n = await socket.ReceiveAsync(received.AsMemory(total, Math.Min(8 * 1024, received.Length - total))).AsTask().WaitAsync(Clients.Patience);
            Assert.NotEqual(0, n);
            total += n;
            // Read slowly: the server's output must back up and its reading must pause.
            if (++reads % 16 == 0) await Task.Delay(1);
        }
        await sender.WaitAsync(Clients.Patience);
        Assert.Equal(payload, received);
        Assert.True(await Clients.WaitForCloseAsync(socket, Clients.Patience));

        // One connection's pooled memory: output below the mark plus one scratch-sized read, rounded to blocks.
        long bound = highWater + EventLoop.ScratchSize + 2 * Netloop.Buffers.BufferChain.DefaultBlockSize;
        var stats = server.Server.GetStats();
        Assert.InRange(stats.PeakBufferBytes, 1, bound);
        Assert.True(stats.BackpressurePauses > 0, "the slow reader never made the server pause reading");
        Assert.Equal(payload.Length, stats.BytesSent);
    }
}
