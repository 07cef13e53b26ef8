namespace Netloop.Transport;

/// <summary>
/// Counts accepted connections against a limit across every loop or accept thread of a server (<c>netloop serve
/// --limit N</c>): the last one allowed completes <see cref="Reached"/>, which the host answers with a graceful stop.
/// </summary>
internal sealed class ServeLimit
{
    private readonly int _limit;
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _taken;

    /// <param name="limit">Connections to serve; 0 for no limit.</param>
    public ServeLimit(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _limit = limit;
    }

    /// <summary>Connections to serve; 0 for no limit.</summary>
    public int Max => _limit;

    /// <summary>Completes when the last connection allowed has been accepted; never without a limit.</summary>
    public Task Reached => _reached.Task;

    /// <summary>Counts one accepted connection; false when it is past the limit and must be closed unserved.</summary>
    public bool TryTake()
    {
        if (_limit == 0) return true;
        int taken = Interlocked.Increment(ref _taken);
        if (taken == _limit) _reached.TrySetResult();
        return taken <= _limit;
    }
}
