namespace Netloop.Protocols.Http1;

/// <summary>
/// Sends an async handler's continuations back to its own connection (its loop thread in the reactor modes) through
/// <see cref="IConnection.Post"/>, so handler code never runs beside another protocol call of the same connection and
/// never on another loop.
/// </summary>
internal sealed class ConnectionSynchronizationContext(IConnection connection, Http1Connection owner) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) =>
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
                context._owner.ExitTurn(turn);
                SetSynchronizationContext(previous);
            }
        }, (d, state, this));

    private readonly Http1Connection _owner = owner;

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("a connection's handler cannot wait synchronously for its own loop");

    public override SynchronizationContext CreateCopy() => this;
}
