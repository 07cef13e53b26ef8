using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netloop.Server;

namespace Netloop.Baselines.Async;

/// <summary>
/// <c>async-group</c>: structured concurrency. Every connection task joins a group (a task leaves it when it finishes,
/// so the group holds only what runs); at shutdown the group is cancelled and every member awaited, its failure
/// observed. Concurrent, leak-free, steady: the design that meets all three promises, with no backpressure of its own
/// (the listen backlog and --max-connections elsewhere are the only bounds).
/// </summary>
internal sealed class AsyncGroupEngine(EngineContext context, TimeSpan handlerDelay)
    : AsyncEngine(context, handlerDelay)
{
    private readonly ConcurrentDictionary<long, Task> _members = new();
    private long _nextId;

    protected override async Task ServeAsync(Socket listener)
    {
        while (await AcceptAsync(listener).ConfigureAwait(false) is { } socket)
        {
            long id = ++_nextId;
            var member = HandleAsync(socket);
            _members[id] = member;
            // A member leaves the group when it is done (it may be done already: then it leaves at once).
            _ = member.ContinueWith(static (t, state) =>
            {
                var (group, memberId) = ((AsyncGroupEngine, long))state!;
                group.Observe(t);
                group._members.TryRemove(memberId, out _);
            }, (this, id), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        // Stopping: the group's cancellation (the Stopping token its members hold) has been requested; await them all.
        while (!_members.IsEmpty)
        {
            var running = _members.Values.ToArray();
            try
            {
                await Task.WhenAll(running).ConfigureAwait(false);
            }
            catch (Exception)
            {
                foreach (var member in running) Observe(member);
            }
            // The continuations that remove members may lag behind WhenAll by a moment.
            foreach (var pair in _members)
            {
                if (pair.Value.IsCompleted) _members.TryRemove(pair.Key, out _);
            }
        }
    }
}
