using Netloop.Server;
using System.Net.Sockets;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration.Http;

/// <summary>HttpContext.RequestAborted over real sockets: the server stopping, and a client resetting its connection.</summary>
public class RequestAbortedTests
{
    private sealed class Probe
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static HttpTestApp Start(Probe probe) => HttpTestApp.Start(app => app.MapGet("/wait", async ctx =>
    {
        // Registered, so the probe hears of the cancellation as it happens (on the loop thread, inside the close).
        ctx.RequestAborted.Register(() => probe.Cancelled.TrySetResult());
        probe.Started.TrySetResult();
        try
        {
            await new TaskCompletionSource().Task.WaitAsync(ctx.RequestAborted);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The connection is gone: nothing to answer.
        }
    }));

    [Fact]
    public async Task Stopping_the_server_cancels_a_running_handlers_RequestAborted()
    {
        var probe = new Probe();
        await using var server = Start(probe);
        using var socket = await Clients.ConnectAsync(server.EndPoint);
        await socket.SendAsync("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        await probe.Started.Task.WaitAsync(Clients.Patience);

        var stopping = server.App.StopAsync();

        await probe.Cancelled.Task.WaitAsync(Clients.Patience);
        await stopping.WaitAsync(Clients.Patience);
        Assert.Empty(server.Logs.Errors);
    }

    [Fact]
    public async Task A_client_that_resets_its_connection_cancels_RequestAborted()
    {
        var probe = new Probe();
        await using var server = Start(probe);
        var socket = await Clients.ConnectAsync(server.EndPoint);
        await socket.SendAsync("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        await probe.Started.Task.WaitAsync(Clients.Patience);

        socket.LingerState = new LingerOption(true, 0); // close with RST
        socket.Close();

        await probe.Cancelled.Task.WaitAsync(Clients.Patience);
        Assert.Empty(server.Logs.Errors);
    }
}
