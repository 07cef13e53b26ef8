namespace Netloop.Transport.PerIp;

/// <summary>
/// What the table remembers of one client address: its open connections and its request bucket. A connection keeps a
/// reference to its entry from accept to close, so a request costs one compare-and-swap on <see cref="_arrivalUs"/> and
/// no lookup. An entry with open connections is never evicted, so that reference stays valid.
/// </summary>
internal sealed class AddressEntry(AddressKey key)
{
    // GCRA's "theoretical arrival time" (microseconds on the loop clock): the bucket is full when it is in the past,
    // and each admitted request moves it one emission interval on. One long, so one CAS updates the whole bucket.
    private long _arrivalUs = long.MinValue / 2;

    public AddressKey Key { get; } = key;

    /// <summary>Connections open from this address; changed under the stripe's lock.</summary>
    public int Connections { get; set; }

    /// <summary>When the last connection closed (or the entry was made), on the loop clock; under the stripe's lock.</summary>
    public long LastSeenMs { get; set; }

    /// <summary>True when the entry holds nothing worth keeping: no connection, a full bucket, and quiet for <paramref name="expiryMs"/>.</summary>
    public bool IsExpired(long nowMs, long expiryMs) =>
        Connections == 0 && Volatile.Read(ref _arrivalUs) <= nowMs * 1000 && nowMs - LastSeenMs >= expiryMs;

    /// <summary>
    /// Takes one request from the bucket (GCRA: <paramref name="intervalUs"/> per request, <paramref name="burstUs"/> of
    /// credit at most); on refusal returns the microseconds until one would be admitted. Lock-free; safe from any loop.
    /// </summary>
    public long TryTake(long nowMs, long intervalUs, long burstUs)
    {
        long nowUs = nowMs * 1000;
        while (true)
        {
            long arrival = Volatile.Read(ref _arrivalUs);
            long next = Math.Max(arrival, nowUs) + intervalUs;
            long wait = next - nowUs - burstUs;
            if (wait > 0) return wait;
            if (Interlocked.CompareExchange(ref _arrivalUs, next, arrival) == arrival) return 0;
        }
    }
}
