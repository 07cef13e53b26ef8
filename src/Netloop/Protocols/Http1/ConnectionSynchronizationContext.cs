using Netloop.Transport;

namespace Netloop.Protocols.Http1;

/// <summary>
/// Sends an async handler's continuations back to its own connection (its loop thread in the reactor modes) through
/// <see cref="IConnection.Post"/>, so handler code never runs beside another protocol call of the same connection and
/// never on another loop. It belongs to the pooled <see cref="Http1Connection"/>, so it posts to whichever connection
/// that serves when the continuation is posted; a continuation that outlived its request (work a handler left running)
/// while the owner sits in the pool goes to the thread pool, where response writes are refused.
/// </summary>
internal sealed class ConnectionSynchronizationContext(Http1Connection owner) : SynchronizationContext
{
    private readonly Http1Connection _owner = owner;

    public override void Post(SendOrPostCallback d, object? state)
    {
        var connection = _owner.Connection;
        if (connection is null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s =>
            {
                var (callback, callbackState) = ((SendOrPostCallback, object?))s!;
                callback(callbackState);
            }, (d, state));
            return;
        }
        connection.Post(static s =>
        {
            var (callback, callbackState, context) = ((SendOrPostCallback, object?, ConnectionSynchronizationContext))s!;
            var previous = Current;
            SetSynchronizationContext(context);
            int turn = context._owner.EnterTurn();
            try
            {
                callback(callbackState);
            }
            finally
            {
                SetSynchronizationContext(previous);
                context._owner.ExitTurn(turn);
            }
        }, (d, state, this));
    }

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("a connection's handler cannot wait synchronously for its own loop");

    public override SynchronizationContext CreateCopy() => this;
}
