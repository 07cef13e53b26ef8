using System.Diagnostics;
using HdrHistogram;
using Netloop.Load.Results;

namespace Netloop.Load.Stats;

/// <summary>
/// The counters and latency histogram of one client loop. Written only by that loop's thread, so no field needs a lock or
/// an interlocked add; the runner reads the counters from its own thread for the progress line (a 64-bit read is atomic,
/// and a value one request stale is fine there) and merges the histograms once the loops have stopped.
/// </summary>
internal sealed class LoopStats
{
    /// <summary>The largest latency the histogram holds, in microseconds (one hour); longer ones are recorded as this.</summary>
    public const long MaxLatencyUs = 3_600_000_000;

    private static readonly int s_errorKinds = Enum.GetValues<ErrorKind>().Length;

    private readonly long[] _errors = new long[s_errorKinds];
    private long _requests;
    private long _bytesReceived;
    private long _bytesSent;
    private long _connectionsOpened;
    private long _closedByServer;
    private int _openConnections;

    /// <summary>Latencies in microseconds, three significant digits (HdrHistogram: recording is an array increment).</summary>
    public LongHistogram Latency { get; } = new(1, MaxLatencyUs, 3);

    /// <summary>Verified responses.</summary>
    public long Requests => Volatile.Read(ref _requests);

    /// <summary>Bytes taken from the server.</summary>
    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    /// <summary>Bytes written to the server.</summary>
    public long BytesSent => Volatile.Read(ref _bytesSent);

    /// <summary>Connections that completed their handshake.</summary>
    public long ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

    /// <summary>Open connections that the server closed although no response was pending and none was announced (<c>--idle</c>: held connections lost).</summary>
    public long ClosedByServer => Volatile.Read(ref _closedByServer);

    /// <summary>Connections open now.</summary>
    public int OpenConnections => Volatile.Read(ref _openConnections);

    /// <summary>Errors of every kind.</summary>
    public long ErrorTotal
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _errors.Length; i++) total += Volatile.Read(ref _errors[i]);
            return total;
        }
    }

    /// <summary>Errors of one kind.</summary>
    public long Errors(ErrorKind kind) => Volatile.Read(ref _errors[(int)kind]);

    /// <summary>One verified response, <paramref name="elapsedTicks"/> (<see cref="Stopwatch"/> ticks) after its start.</summary>
    public void RecordResponse(long elapsedTicks)
    {
        _requests++;
        Latency.RecordValue(TicksToMicroseconds(elapsedTicks));
    }

    /// <summary>Counts one error.</summary>
    public void RecordError(ErrorKind kind) => _errors[(int)kind]++;

    /// <summary>Counts received bytes.</summary>
    public void AddReceived(long bytes) => _bytesReceived += bytes;

    /// <summary>Counts sent bytes.</summary>
    public void AddSent(long bytes) => _bytesSent += bytes;

    /// <summary>A connection completed its handshake.</summary>
    public void ConnectionOpened()
    {
        _connectionsOpened++;
        Volatile.Write(ref _openConnections, _openConnections + 1);
    }

    /// <summary>An open connection ended.</summary>
    public void ConnectionClosed() => Volatile.Write(ref _openConnections, _openConnections - 1);

    /// <summary>The server closed a connection that had nothing pending.</summary>
    public void ServerClosed() => _closedByServer++;

    /// <summary>Converts <see cref="Stopwatch"/> ticks to whole microseconds, clamped to what the histogram holds.</summary>
    public static long TicksToMicroseconds(long ticks)
    {
        if (ticks <= 0) return 0;
        long us = Stopwatch.Frequency == 1_000_000_000 ? ticks / 1_000 : (long)(ticks * (1_000_000.0 / Stopwatch.Frequency));
        return Math.Min(us, MaxLatencyUs);
    }

    /// <summary>Sums the counters of every loop into the result's error record.</summary>
    public static ErrorCounts SumErrors(IReadOnlyList<LoopStats> loops)
    {
        long Sum(ErrorKind kind)
        {
            long total = 0;
            foreach (var loop in loops) total += loop.Errors(kind);
            return total;
        }
        return new ErrorCounts
        {
            ConnectRefused = Sum(ErrorKind.ConnectRefused),
            ConnectFailed = Sum(ErrorKind.ConnectFailed),
            Reset = Sum(ErrorKind.Reset),
            Timeout = Sum(ErrorKind.Timeout),
            BadStatus = Sum(ErrorKind.BadStatus),
            ShortRead = Sum(ErrorKind.ShortRead),
            Corrupt = Sum(ErrorKind.Corrupt),
            TlsHandshake = Sum(ErrorKind.TlsHandshake),
        };
    }

    /// <summary>Merges the loops' histograms into the result's percentiles (call once the loops have stopped).</summary>
    public static LatencySummary SumLatency(IReadOnlyList<LoopStats> loops)
    {
        var all = new LongHistogram(1, MaxLatencyUs, 3);
        foreach (var loop in loops) all.Add(loop.Latency);
        if (all.TotalCount == 0) return new LatencySummary();
        return new LatencySummary
        {
            MeanUs = all.GetMean(),
            P50Us = all.GetValueAtPercentile(50),
            P90Us = all.GetValueAtPercentile(90),
            P99Us = all.GetValueAtPercentile(99),
            P999Us = all.GetValueAtPercentile(99.9),
            MaxUs = all.GetMaxValue(),
        };
    }
}
