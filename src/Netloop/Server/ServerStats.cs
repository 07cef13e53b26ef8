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
