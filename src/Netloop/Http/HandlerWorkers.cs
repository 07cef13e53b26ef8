using System.Collections.Concurrent;

namespace Netloop.Http;

/// <summary>
/// The opt-in pool of threads for handlers that block (<c>--handler-threads N</c>): a blocking handler run on an event
/// loop would stall every other connection of that loop, so it runs here instead, with the request body read in full
/// first and the response buffered in full, and its completion goes back to the connection's loop.
/// </summary>
internal sealed class HandlerWorkers : IDisposable
{
    private readonly BlockingCollection<(HttpContext Context, RequestHandler Handler, TaskCompletionSource Done)> _queue = new();
    private readonly Thread[] _threads;

    public HandlerWorkers(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"netloop-handler-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Queues <paramref name="handler"/>; the task completes (or faults) when it has run.</summary>
    public Task Run(HttpContext context, RequestHandler handler)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((context, handler, done));
        return done.Task;
    }

    private void Work()
    {
        foreach (var (context, handler, done) in _queue.GetConsumingEnumerable())
        {
            try
            {
                // No synchronization context here: an await inside the handler continues on the thread pool, never on a loop.
                handler(context).AsTask().GetAwaiter().GetResult();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var thread in _threads) thread.Join(TimeSpan.FromSeconds(5));
        _queue.Dispose();
    }
}
