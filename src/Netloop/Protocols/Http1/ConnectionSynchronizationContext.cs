using Netloop.Transport;

namespace Netloop.Protocols.Http1;

/// <summary>
/// Sends an async handler's continuations back to its own connection (its loop thread in the reactor modes) through
/// <see cref="IConnection.Post"/>, so handler code never runs beside another protocol call of the same connection and
/// never on another loop.
/// </summary>
/// <remarks>
/// <para>
/// The context is tied to the request it is bound to (<see cref="Bind"/>, by the owner's request generation). Posted
/// work runs as a turn of the connection only if, when it comes to run, that request is still the one in progress
/// and its handler still runs (<see cref="Http1Connection.AcceptsWorkOf"/>). Late work of a finished request (a
/// continuation a handler left behind, fire-and-forget) runs on the thread pool instead, outside every connection:
/// there it cannot write to another request's response (writes off the connection's turn are refused), nor race a
/// loop. It is run there rather than dropped because dropping a continuation would leave its awaits hanging forever:
/// its <c>finally</c> blocks and disposals would never run, and whatever awaits it would leak.
/// </para>
/// <para>
/// A handler that went async holds its context in its continuations, so its connection binds a new one for the next
/// request; one that finished synchronously leaves it to the next request (so a keep-alive request allocates nothing).
/// The one case this cannot tell apart: work that a synchronously finished handler left behind, posted while a later
/// request on the same pooled state machine has an async handler in flight, runs as a turn of that later request.
/// </para>
/// </remarks>
internal sealed class ConnectionSynchronizationContext(Http1Connection owner, long generation) : SynchronizationContext
{
    private readonly Http1Connection _owner = owner;
    private long _generation = generation;

    /// <summary>The request this context belongs to, in the owner's <see cref="Http1Connection.Generation"/> count.</summary>
    internal long Generation => Volatile.Read(ref _generation);

    /// <summary>Ties the context to the request <paramref name="generation"/>, about to run its handler under it.</summary>
    internal void Bind(long generation) => Volatile.Write(ref _generation, generation);

    public override void Post(SendOrPostCallback d, object? state)
    {
        // Read once, from any thread: the connection the owner serves now. The decision is made again on that
        // connection's own thread, where the owner's state can be read safely.
        var connection = _owner.Connection;
        long generation = Generation;
        if (connection is null || _owner.Generation != generation)
        {
            RunOutside(d, state);
            return;
        }
        connection.Post(static s =>
        {
            var (callback, callbackState, context, target, generation) = ((SendOrPostCallback, object?, ConnectionSynchronizationContext, IConnection, long))s!;
            var owner = context._owner;
            if (!ReferenceEquals(owner.Connection, target) || !owner.AcceptsWorkOf(generation))
            {
                RunOutside(callback, callbackState);
                return;
            }
            var previous = Current;
            SetSynchronizationContext(context);
            int turn = owner.EnterTurn();
            try
            {
                callback(callbackState);
            }
            finally
            {
                SetSynchronizationContext(previous);
                owner.ExitTurn(turn);
            }
        }, (d, state, this, connection, generation));
    }

    private static void RunOutside(SendOrPostCallback callback, object? state) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s =>
        {
            var (c, cs) = ((SendOrPostCallback, object?))s!;
            c(cs);
        }, (callback, state));

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("a connection's handler cannot wait synchronously for its own loop");

    public override SynchronizationContext CreateCopy() => this;
}
