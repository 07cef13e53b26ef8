using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netloop.Server;

namespace Netloop.Baselines.Async;

/// <summary>
/// <c>async-select</c>: one loop awaits <see cref="Task.WhenAny(Task[])"/> over the pending accept and every running
/// handler, starting a handler when the accept wins and reaping one when a handler does. Correct and leak-free, but
/// each turn builds an array of every running task and hooks (then unhooks) a continuation on each: O(n) work and
/// allocation per event, O(n²) for n concurrent connections, so it falls behind as concurrency grows.
/// </summary>
internal sealed class AsyncSelectEngine(EngineContext context, TimeSpan handlerDelay)
    : AsyncEngine(context, handlerDelay)
{
    protected override async Task ServeAsync(Socket listener)
    {
        var running = new List<Task>();
        Task<Socket?>? accept = AcceptAsync(listener);
        while (accept is not null || running.Count > 0)
        {
            var waitingOn = new Task[running.Count + (accept is null ? 0 : 1)];
            running.CopyTo(waitingOn);
            if (accept is not null) waitingOn[^1] = accept;
            var done = await Task.WhenAny(waitingOn).ConfigureAwait(false);
            if (done == accept)
            {
                var socket = await accept.ConfigureAwait(false);
                if (socket is null)
                {
                    accept = null; // stopping: only the running handlers are left to await
                    continue;
                }
                running.Add(HandleAsync(socket));
                accept = AcceptAsync(listener);
                continue;
            }
            running.Remove(done);
            Observe(done);
        }
    }
}
