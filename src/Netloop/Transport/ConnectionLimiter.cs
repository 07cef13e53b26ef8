namespace Netloop.Transport;

/// <summary>The process-wide count of open connections against <c>--max-connections</c>: one atomic add per accept and per close.</summary>
internal sealed class ConnectionLimiter(int max)
{
    private int _open;

    public int Open => Volatile.Read(ref _open);

    public int Max => max;

    /// <summary>Takes a place for a new connection; false when the limit is reached.</summary>
    public bool TryAcquire()
    {
        if (Interlocked.Increment(ref _open) <= max) return true;
        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Release() => Interlocked.Decrement(ref _open);
}
