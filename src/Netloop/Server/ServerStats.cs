using Netloop.Transport;

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

    /// <summary>Connections closed by <see cref="ServerOptions.SendTimeout"/>: output waited and the client accepted none of it (reactor modes).</summary>
    public long SendTimeouts { get; init; }

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

    /// <summary>Connections closed at accept because their client address already had <see cref="PerIpLimitOptions.MaxConnectionsPerIp"/> open.</summary>
    public long RejectedPerIp { get; init; }

    /// <summary>Connections closed at accept because the per-IP table was full of live addresses (<see cref="PerIpLimitOptions.MaxTrackedAddresses"/>).</summary>
    public long PerIpTableFull { get; init; }

    /// <summary>Requests answered 429 Too Many Requests by the per-IP rate limit (<see cref="PerIpLimitOptions.RequestsPerSecond"/>).</summary>
    public long RateLimited { get; init; }

    /// <summary>A snapshot of <paramref name="counters"/>, with the figures the counters do not hold.</summary>
    internal static ServerStats From(ConnectionCounters counters, long active, long buffersOutstanding, long peakBufferBytes) => new()
    {
        Accepted = Volatile.Read(ref counters.Accepted),
        Active = active,
        Rejected = Volatile.Read(ref counters.Rejected),
        Resets = Volatile.Read(ref counters.Resets),
        IdleTimeouts = Volatile.Read(ref counters.IdleTimeouts),
        SendTimeouts = Volatile.Read(ref counters.SendTimeouts),
        Errors = Volatile.Read(ref counters.Errors),
        AcceptPauses = Volatile.Read(ref counters.AcceptPauses),
        BackpressurePauses = Volatile.Read(ref counters.BackpressurePauses),
        BytesReceived = Volatile.Read(ref counters.BytesReceived),
        BytesSent = Volatile.Read(ref counters.BytesSent),
        BuffersOutstanding = buffersOutstanding,
        PeakBufferBytes = peakBufferBytes,
    };
}
