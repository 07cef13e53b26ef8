using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Netloop.Server;

namespace Netloop.Baselines.Async;

/// <summary>
/// <c>async-workers</c>: a fixed set of worker tasks take accepted sockets from a bounded channel and serve them one at
/// a time each. Backpressure by construction (the accept loop waits while the channel is full) and nothing leaks (at
/// shutdown the channel is completed, the workers serve what is queued and end), but concurrency is capped at the
/// worker count: the clients beyond it wait, which with slow handlers is most of them.
/// </summary>
internal sealed class AsyncWorkersEngine(EngineContext context, TimeSpan handlerDelay)
    : AsyncEngine(context, handlerDelay)
{
    protected override async Task ServeAsync(Socket listener)
    {
        var sockets = Channel.CreateBounded<Socket>(new BoundedChannelOptions(Context.Baselines.Workers)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var workers = new Task[Context.Baselines.Workers];
        for (int i = 0; i < workers.Length; i++) workers[i] = WorkAsync(sockets.Reader);
        while (await AcceptAsync(listener).ConfigureAwait(false) is { } socket)
        {
            await sockets.Writer.WriteAsync(socket, CancellationToken.None).ConfigureAwait(false);
        }
        sockets.Writer.Complete();
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private async Task WorkAsync(ChannelReader<Socket> sockets)
    {
        await foreach (var socket in sockets.ReadAllAsync().ConfigureAwait(false))
        {
            await AwaitObservedAsync(HandleAsync(socket)).ConfigureAwait(false);
        }
    }
}
