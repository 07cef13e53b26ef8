namespace Netloop.Transport;

/// <summary>Connection counters one thread (a loop, or one connection's thread via <see cref="Interlocked"/>) updates and a snapshot sums.</summary>
internal sealed class ConnectionCounters
{
    public long Accepted;
    public long Closed;
    public long Rejected;
    public long Resets;
    public long IdleTimeouts;
    public long SendTimeouts;
    public long Errors;
    public long AcceptPauses;
    public long BackpressurePauses;
    public long BytesReceived;
    public long BytesSent;
    /// <summary>Outbound connects that failed (client loops only).</summary>
    public long ConnectFailures;

    /// <summary>Adds <paramref name="other"/>'s counts to this one's (for summing per-loop counters).</summary>
    public void Add(ConnectionCounters other)
    {
        Accepted += Volatile.Read(ref other.Accepted);
        Closed += Volatile.Read(ref other.Closed);
        Rejected += Volatile.Read(ref other.Rejected);
        Resets += Volatile.Read(ref other.Resets);
        IdleTimeouts += Volatile.Read(ref other.IdleTimeouts);
        SendTimeouts += Volatile.Read(ref other.SendTimeouts);
        Errors += Volatile.Read(ref other.Errors);
        AcceptPauses += Volatile.Read(ref other.AcceptPauses);
        BackpressurePauses += Volatile.Read(ref other.BackpressurePauses);
        BytesReceived += Volatile.Read(ref other.BytesReceived);
        BytesSent += Volatile.Read(ref other.BytesSent);
    }

    public void Count(CloseReason reason)
    {
        switch (reason)
        {
            case CloseReason.Reset: Interlocked.Increment(ref Resets); break;
            case CloseReason.IdleTimeout: Interlocked.Increment(ref IdleTimeouts); break;
            case CloseReason.SendTimeout: Interlocked.Increment(ref SendTimeouts); break;
            case CloseReason.Error: Interlocked.Increment(ref Errors); break;
        }
    }
}
