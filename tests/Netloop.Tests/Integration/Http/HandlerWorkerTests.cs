using System.Text;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration.Http;

public class HandlerWorkerTests
{
    [Fact]
    public async Task A_blocking_handler_on_the_worker_pool_does_not_stall_other_connections()
    {
        using var release = new ManualResetEventSlim();
        using var entered = new SemaphoreSlim(0);
        await using var server = HttpTestApp.Start(
            app =>
            {
                app.MapGet("/block", c =>
                {
                    entered.Release();
                    // A blocking wait, as legacy code does: on a loop thread this would freeze every connection of the loop.
                    release.Wait(Clients.Patience);
                    c.Response.WriteText("unblocked");
                });
                app.MapGet("/plaintext", c => c.Response.WriteText("Hello, World!"));
                app.Map(["POST"], "/upload", c =>
                {
                    var buffer = new byte[1 << 20];
                    int total = 0, n;
                    while ((n = c.Request.Body.Read(buffer, 0, buffer.Length)) > 0) total += n;
                    c.Response.WriteText($"got {total}");
                });
            },
            builder =>
            {
                builder.HandlerThreads = 2;
                builder.Options.Loops = 1;
            });

        var blocked = server.SendAndReadToCloseAsync("GET /block HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.True(await entered.WaitAsync(Clients.Patience));

        // Same loop, other connections: answered while the handler above is still blocked.
        for (int i = 0; i < 20; i++)
        {
            string response = await server.SendAndReadToCloseAsync("GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            Assert.EndsWith("Hello, World!", response, StringComparison.Ordinal);
        }
        string body = new('b', 300_000);
        string upload = await server.SendAndReadToCloseAsync($"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");
        Assert.EndsWith("got 300000", upload, StringComparison.Ordinal);
        Assert.False(blocked.IsCompleted);

        release.Set();
        Assert.EndsWith("unblocked", await blocked.WaitAsync(Clients.Patience), StringComparison.Ordinal);
    }
}
