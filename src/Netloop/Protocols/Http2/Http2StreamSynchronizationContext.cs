namespace Netloop.Protocols.Http2;

/// <summary>
/// The synchronization context a stream's handler runs under: its continuations come back as turns of the stream's
/// connection (so they may write the response), as long as they belong to the request the stream serves now; late work
/// of a finished request runs on the thread pool instead, away from a stream that may serve another request.
/// </summary>
internal sealed class Http2StreamSynchronizationContext(Http2Stream stream) : SynchronizationContext
{
    private long _generation = stream.Generation;

    internal void Bind(long generation) => Volatile.Write(ref _generation, generation);

    public override void Post(SendOrPostCallback d, object? state)
    {
        long generation = Volatile.Read(ref _generation);
        var owner = stream.Owner;
        var connection = owner?.Connection;
        if (owner is null || connection is null || stream.Generation != generation)
        {
            RunOutside(d, state);
            return;
        }
        connection.Post(static s =>
        {
            var (callback, callbackState, context, owner, generation) = ((SendOrPostCallback, object?, Http2StreamSynchronizationContext, Http2Connection, long))s!;
            var target = context.Stream;
            if (!ReferenceEquals(target.Owner, owner) || !target.AcceptsWorkOf(generation))
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
        }, (d, state, this, owner, generation));
    }

    private Http2Stream Stream => stream;

    private static void RunOutside(SendOrPostCallback callback, object? state) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s =>
        {
            var (c, cs) = ((SendOrPostCallback, object?))s!;
            c(cs);
        }, (callback, state));

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("a stream's handler cannot wait synchronously for its own loop");

    public override SynchronizationContext CreateCopy() => this;
}
