using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netloop.Server;

namespace Netloop.Baselines.Async;

/// <summary>
/// <c>async-serial</c>: accept, await the handler, accept again. Async in style, serial in fact: one client at a time,
/// the rest wait in the listen backlog. Nothing can leak (the only task is always awaited), and nothing is concurrent.
/// </summary>
internal sealed class AsyncSerialEngine(EngineContext context, TimeSpan handlerDelay)
    : AsyncEngine(context, handlerDelay)
{
    protected override async Task ServeAsync(Socket listener)
    {
        while (await AcceptAsync(listener).ConfigureAwait(false) is { } socket)
        {
            await AwaitObservedAsync(HandleAsync(socket)).ConfigureAwait(false);
        }
    }
}
