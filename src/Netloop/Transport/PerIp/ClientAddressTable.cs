namespace Netloop.Transport.PerIp;

/// <summary>
/// The per-IP limits' memory, shared by every loop of a server: one <see cref="AddressEntry"/> per client address (or
/// IPv6 prefix), in striped dictionaries so loops accepting at once rarely meet on a lock. Bounded: at most
/// <see cref="Capacity"/> entries; a new address finding the table full evicts expired entries (its own stripe at once,
/// the whole table at most once per <see cref="FullSweepIntervalMs"/> so a flood of new addresses cannot make every
/// accept walk 65,536 entries), and is refused when nothing could be evicted. Lookups are by a value key in a
/// Dictionary: nothing is allocated except the entry of an address seen for the first time.
/// Accept and close take a stripe's lock; a request takes no lock (<see cref="AddressEntry.TryTake"/>).
/// </summary>
internal sealed class ClientAddressTable
{
    /// <summary>Refusals in a row on one connection after which it is ended (HTTP/1.1 close, HTTP/2 GOAWAY).</summary>
    public const int RefusalsBeforeEnd = 16;

    /// <summary>The shortest time between two sweeps of the whole table.</summary>
    public const long FullSweepIntervalMs = 100;

    private const int StripeCount = 64;

    private readonly Stripe[] _stripes = new Stripe[StripeCount];
    private readonly int _maxConnections;
    private readonly long _intervalUs;
    private readonly long _burstUs;
    private readonly long _expiryMs;
    private int _count;
    private long _lastFullSweepMs = long.MinValue / 2;
    private long _rejectedConnections;
    private long _tableFull;
    private long _rateLimited;

    public ClientAddressTable(int maxConnectionsPerAddress, double requestsPerSecond, int burst, int ipv6PrefixLength, int capacity, TimeSpan expiry)
    {
        _maxConnections = maxConnectionsPerAddress;
        if (requestsPerSecond > 0)
        {
            _intervalUs = Math.Max(1, (long)Math.Round(1_000_000 / requestsPerSecond));
            _burstUs = _intervalUs * Math.Max(1, burst);
        }
        Ipv6PrefixLength = ipv6PrefixLength;
        Capacity = capacity;
        _expiryMs = (long)expiry.TotalMilliseconds;
        for (int i = 0; i < StripeCount; i++) _stripes[i] = new Stripe();
    }

    public int Ipv6PrefixLength { get; }

    public int Capacity { get; }

    public bool LimitsRequests => _intervalUs > 0;

    /// <summary>Entries held now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Connections closed at accept because their address had its most connections open.</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejectedConnections);

    /// <summary>Connections closed at accept because the table was full of live addresses.</summary>
    public long TableFullRejections => Interlocked.Read(ref _tableFull);

    /// <summary>Requests refused with 429.</summary>
    public long RateLimitedRequests => Interlocked.Read(ref _rateLimited);

    /// <summary>
    /// Counts a new connection from <paramref name="key"/>: its entry, or null when the address is at its connection
    /// limit or the table is full (both counted). Release the entry with <see cref="ReleaseConnection"/> when it closes.
    /// </summary>
    public AddressEntry? TryAcquireConnection(in AddressKey key, long nowMs)
    {
        var stripe = StripeOf(key);
        var outcome = stripe.TryAcquire(this, key, nowMs, out var entry);
        if (outcome == Outcome.Full && TrySweepAll(nowMs)) outcome = stripe.TryAcquire(this, key, nowMs, out entry);
        switch (outcome)
        {
            case Outcome.Acquired: return entry;
            case Outcome.OverLimit: Interlocked.Increment(ref _rejectedConnections); return null;
            default: Interlocked.Increment(ref _tableFull); return null;
        }
    }

    /// <summary>A connection that <see cref="TryAcquireConnection"/> admitted has closed.</summary>
    public void ReleaseConnection(AddressEntry entry, long nowMs) => StripeOf(entry.Key).Release(entry, nowMs);

    /// <summary>
    /// Spends one request of <paramref name="entry"/>'s bucket, counting the connection's refusals in a row in
    /// <paramref name="refusedInRow"/> (reset by an admitted request).
    /// </summary>
    public RequestAdmission AdmitRequest(AddressEntry entry, long nowMs, ref int refusedInRow)
    {
        if (_intervalUs == 0) return RequestAdmission.Admitted;
        long waitUs = entry.TryTake(nowMs, _intervalUs, _burstUs);
        if (waitUs == 0)
        {
            refusedInRow = 0;
            return RequestAdmission.Admitted;
        }
        Interlocked.Increment(ref _rateLimited);
        refusedInRow++;
        // Retry-After is whole seconds (RFC 9110 §10.2.3), rounded up so a client that obeys it is admitted.
        int seconds = (int)Math.Min(int.MaxValue, (waitUs + 999_999) / 1_000_000);
        return new RequestAdmission(Math.Max(1, seconds), refusedInRow >= RefusalsBeforeEnd);
    }

    /// <summary>Evicts every expired entry, one stripe at a time; false when another sweep ran too recently.</summary>
    private bool TrySweepAll(long nowMs)
    {
        long last = Volatile.Read(ref _lastFullSweepMs);
        if (nowMs - last < FullSweepIntervalMs || Interlocked.CompareExchange(ref _lastFullSweepMs, nowMs, last) != last) return false;
        foreach (var stripe in _stripes) stripe.Sweep(this, nowMs);
        return true;
    }

    /// <summary>Evicts every expired entry now (tests).</summary>
    internal void SweepAll(long nowMs)
    {
        foreach (var stripe in _stripes) stripe.Sweep(this, nowMs);
    }

    private Stripe StripeOf(in AddressKey key) => _stripes[(uint)key.GetHashCode() % StripeCount];

    private enum Outcome
    {
        Acquired,
        OverLimit,
        Full,
    }

    /// <summary>One lock and the entries whose key hashes to it.</summary>
    private sealed class Stripe
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<AddressKey, AddressEntry> _entries = new();
        // Reused by Sweep: the keys to remove are gathered first (a Dictionary is not changed while enumerated).
        private readonly List<AddressKey> _expired = new();

        public Outcome TryAcquire(ClientAddressTable table, in AddressKey key, long nowMs, out AddressEntry? entry)
        {
            lock (_lock)
            {
                if (_entries.TryGetValue(key, out entry))
                {
                    if (table._maxConnections > 0 && entry.Connections >= table._maxConnections)
                    {
                        entry = null;
                        return Outcome.OverLimit;
                    }
                    entry.Connections++;
                    return Outcome.Acquired;
                }
                if (!TryReserve(table))
                {
                    // Full: this stripe's own expired entries first (cheap: under the lock held already).
                    SweepLocked(table, nowMs);
                    if (!TryReserve(table)) return Outcome.Full;
                }
                entry = new AddressEntry(key) { Connections = 1, LastSeenMs = nowMs };
                _entries.Add(key, entry);
                return Outcome.Acquired;
            }
        }

        public void Release(AddressEntry entry, long nowMs)
        {
            lock (_lock)
            {
                entry.Connections--;
                entry.LastSeenMs = nowMs;
            }
        }

        public void Sweep(ClientAddressTable table, long nowMs)
        {
            lock (_lock) SweepLocked(table, nowMs);
        }

        private static bool TryReserve(ClientAddressTable table)
        {
            if (Interlocked.Increment(ref table._count) <= table.Capacity) return true;
            Interlocked.Decrement(ref table._count);
            return false;
        }

        private void SweepLocked(ClientAddressTable table, long nowMs)
        {
            foreach (var (key, entry) in _entries)
            {
                if (entry.IsExpired(nowMs, table._expiryMs)) _expired.Add(key);
            }
            foreach (var key in _expired) _entries.Remove(key);
            Interlocked.Add(ref table._count, -_expired.Count);
            _expired.Clear();
        }
    }
}
