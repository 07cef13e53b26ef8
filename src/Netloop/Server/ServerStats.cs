namespace Netloop.Server;

/// <summary>A snapshot of a server's counters.</summary>
public readonly record struct ServerStats
{
    /// <summary>Connections accepted and served.</summary>
    public long Accepted { get; init; }

    /// <summary>Connections open now.</summary>
    public long Active { get; init; }

    /// <summary>Connections closed at once because <see cref="ServerOptions.MaxConnections"/> was reached.</summary>
    public long Rejected { get; init; }

    /// <summary>Connections the peer reset (ECONNRESET, EPIPE).</summary>
    public long Resets { get; init; }

    /// <summary>Connections closed by the idle timeout.</summary>
    public long IdleTimeouts { get; init; }

    /// <summary>Connections closed because the protocol failed (an exception, or input it could not consume).</summary>
    public long Errors { get; init; }

    /// <summary>accept(2) failures that paused accepting (EMFILE, ENFILE, ENOBUFS, ENOMEM).</summary>
    public long AcceptPauses { get; init; }

    /// <summary>Times a connection stopped reading because its unsent output passed the high-water mark (reactor modes).</summary>
    public long BackpressurePauses { get; init; }

    /// <summary>Bytes received.</summary>
    public long BytesReceived { get; init; }

    /// <summary>Bytes sent.</summary>
    public long BytesSent { get; init; }

    /// <summary>Pooled buffer blocks rented and not returned: 0 after a clean stop.</summary>
    public long BuffersOutstanding { get; init; }

    /// <summary>The most pooled bytes rented at one time.</summary>
    public long PeakBufferBytes { get; init; }

    /// <summary>Managed bytes allocated by the event-loop threads so far (reactor modes; 0 elsewhere): divide a delta by requests for B/request.</summary>
    public long LoopAllocatedBytes { get; init; }
}

/// <summary>Counters one thread (a loop, or one connection's thread via <see cref="Interlocked"/>) updates and a snapshot sums.</summary>
internal sealed class ServerCounters
{
    public long Accepted;
    public long Closed;
    public long Rejected;
    public long Resets;
    public long IdleTimeouts;
    public long Errors;
    public long AcceptPauses;
    public long BackpressurePauses;
    public long BytesReceived;
    public long BytesSent;
    /// <summary>Outbound connects that failed (client loops only).</summary>
    public long ConnectFailures;

    /// <summary>Adds <paramref name="other"/>'s counts to this one's (for summing per-loop counters).</summary>
    public void Add(ServerCounters other)
    {
        Accepted += Volatile.Read(ref other.Accepted);
        Closed += Volatile.Read(ref other.Closed);
        Rejected += Volatile.Read(ref other.Rejected);
        Resets += Volatile.Read(ref other.Resets);
        IdleTimeouts += Volatile.Read(ref other.IdleTimeouts);
        Errors += Volatile.Read(ref other.Errors);
        AcceptPauses += Volatile.Read(ref other.AcceptPauses);
        BackpressurePauses += Volatile.Read(ref other.BackpressurePauses);
        BytesReceived += Volatile.Read(ref other.BytesReceived);
        BytesSent += Volatile.Read(ref other.BytesSent);
    }

    /// <summary>The counts as a snapshot, with the figures the counters do not hold.</summary>
    public ServerStats ToStats(long active, long buffersOutstanding, long peakBufferBytes) => new()
    {
        Accepted = Volatile.Read(ref Accepted),
        Active = active,
        Rejected = Volatile.Read(ref Rejected),
        Resets = Volatile.Read(ref Resets),
        IdleTimeouts = Volatile.Read(ref IdleTimeouts),
        Errors = Volatile.Read(ref Errors),
        AcceptPauses = Volatile.Read(ref AcceptPauses),
        BackpressurePauses = Volatile.Read(ref BackpressurePauses),
        BytesReceived = Volatile.Read(ref BytesReceived),
        BytesSent = Volatile.Read(ref BytesSent),
        BuffersOutstanding = buffersOutstanding,
        PeakBufferBytes = peakBufferBytes,
    };

    public void Count(Protocols.CloseReason reason)
    {
        switch (reason)
        {
            case Protocols.CloseReason.Reset: Interlocked.Increment(ref Resets); break;
            case Protocols.CloseReason.IdleTimeout: Interlocked.Increment(ref IdleTimeouts); break;
            case Protocols.CloseReason.Error: Interlocked.Increment(ref Errors); break;
        }
    }
}
