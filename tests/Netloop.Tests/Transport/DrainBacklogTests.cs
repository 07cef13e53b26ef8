using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Netloop.Protocols.Http1;
using Netloop.Reactor;
using Netloop.Tests.Reactor;
using Netloop.Tests.Support;
using Netloop.Transport;

namespace Netloop.Tests.Transport;

/// <summary>
/// The stop takes the listener's backlog first: a connection the kernel completed before the listener closed, with its
/// request already sent, is accepted and answered (closing the listener would have reset it). The poller is a fake that
/// never reports the listener, so only the stop's own accept can find the connection.
/// </summary>
public sealed class DrainBacklogTests
{
    [Fact]
    public async Task A_connection_waiting_in_the_backlog_with_its_request_sent_is_answered_at_the_stop()
    {
        var poller = new FakePoller();
        using var loop = new EventLoop(0, poller, NullLogger.Instance);
        var protocols = new HttpProtocolFactory(ctx =>
        {
            ctx.Response.WriteText("from the backlog");
            return ValueTask.CompletedTask;
        });
        var transport = new LoopTransport(loop, protocols, new ConnectionLimiter(100), NullLogger.Instance, new ConnectionSettings(64 * 1024, TimeSpan.FromMinutes(1), true));
        int listenFd = ListenSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), reusePort: false, backlog: 16, out var bound);
        transport.Listen(listenFd);
        loop.Start();

        using var client = await Clients.ConnectAsync(bound);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray());
        Assert.Equal(0, transport.Counters.Accepted); // the fake poller never told the loop

        loop.Post(static state =>
        {
            var t = (LoopTransport)state!;
            t.BeginShutdown(t.Loop.NowMs + 30_000, t.Loop.NowMs + 20_000);
        }, transport);

        var received = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            int n = await client.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Clients.Patience);
            if (n == 0) break;
            received.Write(buffer, 0, n);
        }
        string response = Encoding.ASCII.GetString(received.ToArray());
        Assert.StartsWith("HTTP/1.1 200 OK", response);
        Assert.Contains("\r\nConnection: close\r\n", response);
        Assert.EndsWith("from the backlog", response);
        await loop.Completion.WaitAsync(Clients.Patience);
        Assert.Equal(1, transport.Counters.Accepted);
        Assert.Equal(0, transport.ActiveConnections);
    }
}
