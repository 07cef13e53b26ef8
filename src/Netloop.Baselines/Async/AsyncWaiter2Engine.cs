using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Netloop.Server;

namespace Netloop.Baselines.Async;

/// <summary>
/// <c>async-waiter2</c>: each connection task hands itself to the waiter when it finishes, so the waiter reaps tasks in
/// the order they end and no slow task blocks the others' cleanup. The waiter counts what was started against what it
/// has reaped, so at shutdown it knows what still runs and waits for it. Concurrent, leak-free, steady; like the group,
/// it accepts without bound.
/// </summary>
internal sealed class AsyncWaiter2Engine(EngineContext context, TimeSpan handlerDelay)
    : AsyncEngine(context, handlerDelay)
{
    private readonly Channel<Task> _finished = Channel.CreateUnbounded<Task>(new UnboundedChannelOptions { SingleReader = true });
    private long _started;
    private long _reaped;
    private volatile bool _acceptEnded;

    protected override async Task ServeAsync(Socket listener)
    {
        var waiter = ReapAsync();
        while (await AcceptAsync(listener).ConfigureAwait(false) is { } socket)
        {
            Interlocked.Increment(ref _started);
            _ = HandleAsync(socket).ContinueWith(static (t, state) => ((ChannelWriter<Task>)state!).TryWrite(t),
                _finished.Writer, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        _acceptEnded = true;
        // Wakes the waiter if every handler was reaped already, so it sees the accept loop has ended.
        _finished.Writer.TryWrite(Task.CompletedTask);
        await waiter.ConfigureAwait(false);
    }

    private async Task ReapAsync()
    {
        var reader = _finished.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var handler))
            {
                if (handler == Task.CompletedTask) continue;
                Observe(handler);
                _reaped++;
            }
            if (_acceptEnded && _reaped == Interlocked.Read(ref _started)) return;
        }
    }
}
