using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Netloop.Server;

namespace Netloop.Baselines.Async;

/// <summary>
/// <c>async-waiter</c>: every connection task goes onto a small bounded queue, and one waiter task awaits them in the
/// order they were started. Nothing leaks and memory is bounded (the queue is), but the waiter is head-of-line blocked:
/// one slow handler at the front holds up the reaping of every task behind it, the queue fills, and the accept loop
/// stops accepting, so concurrency collapses to the queue's capacity behind the slowest request.
/// </summary>
internal sealed class AsyncWaiterEngine(EngineContext context, TimeSpan handlerDelay)
    : AsyncEngine(context, handlerDelay)
{
    protected override async Task ServeAsync(Socket listener)
    {
        var queue = Channel.CreateBounded<Task>(new BoundedChannelOptions(Context.Baselines.WaiterQueue)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var waiter = WaitInOrderAsync(queue.Reader);
        while (await AcceptAsync(listener).ConfigureAwait(false) is { } socket)
        {
            var handler = HandleAsync(socket);
            // Waits while the queue is full: the accept loop is held up by the oldest unreaped task.
            await queue.Writer.WriteAsync(handler, CancellationToken.None).ConfigureAwait(false);
        }
        queue.Writer.Complete();
        await waiter.ConfigureAwait(false);
    }

    private async Task WaitInOrderAsync(ChannelReader<Task> queue)
    {
        await foreach (var handler in queue.ReadAllAsync().ConfigureAwait(false))
        {
            await AwaitObservedAsync(handler).ConfigureAwait(false);
        }
    }
}
