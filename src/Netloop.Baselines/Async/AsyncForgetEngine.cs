using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netloop.Server;

namespace Netloop.Baselines.Async;

/// <summary>
/// <c>async-forget</c>: a task per connection, started and never looked at again (<c>_ = HandleAsync(socket)</c>).
/// Concurrent and, in .NET, steady in memory (a finished task is garbage; a running one is rooted by its socket's
/// pending I/O, so the GC never takes it mid-flight, unlike Python's weakly held tasks). But the server cannot wait for
/// what it does not know: at shutdown its handlers are still running, holding sockets and buffers, and their failures
/// are never observed. The handlers get no stop tokens either: nothing could cancel them.
/// </summary>
internal sealed class AsyncForgetEngine(EngineContext context, TimeSpan handlerDelay)
    : AsyncEngine(context, handlerDelay)
{
    protected override async Task ServeAsync(Socket listener)
    {
        while (await AcceptAsync(listener).ConfigureAwait(false) is { } socket)
        {
            _ = AsyncEchoHandler.HandleAsync(this, socket, CancellationToken.None, CancellationToken.None);
        }
    }
}
