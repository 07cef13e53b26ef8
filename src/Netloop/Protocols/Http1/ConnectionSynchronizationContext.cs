namespace Netloop.Protocols.Http1;

/// <summary>
/// Sends an async handler's continuations back to its own connection (its loop thread in the reactor modes) through
/// <see cref="IConnection.Post"/>, so handler code never runs beside another protocol call of the same connection and
/// never on another loop.
/// </summary>
internal sealed class ConnectionSynchronizationContext(IConnection connection) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) =>
        connection.Post(static s =>
        {
            var (callback, callbackState, context) = ((SendOrPostCallback, object?, SynchronizationContext))s!;
            var previous = Current;
            SetSynchronizationContext(context);
            try
            {
                callback(callbackState);
            }
            finally
            {
                SetSynchronizationContext(previous);
            }
        }, (d, state, (SynchronizationContext)this));

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("a connection's handler cannot wait synchronously for its own loop");

    public override SynchronizationContext CreateCopy() => this;
}
