using System.Globalization;

namespace Netloop.Bench.Running;

/// <summary>
/// The line a server prints on SIGUSR2 (<c>netloop serve</c>, and the Kestrel peer):
/// <c>stats: allocated-bytes=N [loop-allocated-bytes=N] [connections=N] [accepted=N] [heap-bytes=N] …</c>, possibly after a log prefix.
/// Fields may come in any order and unknown ones are ignored, so either side can add one.
/// </summary>
/// <param name="AllocatedBytes">Managed bytes the whole server process has allocated since it started.</param>
/// <param name="LoopAllocatedBytes">Of those, the bytes allocated on event-loop threads; null for a server without loops.</param>
/// <param name="HeapBytes">The managed heap in use when the line was written, uncollected garbage included; null when the server does not say.</param>
internal sealed record ServerStatsLine(long AllocatedBytes, long? LoopAllocatedBytes, long? HeapBytes = null)
{
    /// <summary>What marks the line.</summary>
    public const string Marker = "stats: ";

    /// <summary>Reads a stats line; null for any other line, or one without a valid <c>allocated-bytes</c>.</summary>
    public static ServerStatsLine? TryParse(string line)
    {
        int start = line.IndexOf(Marker, StringComparison.Ordinal);
        if (start < 0) return null;
        long? allocated = null, loop = null, heap = null;
        foreach (string field in line[(start + Marker.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) continue;
            if (!long.TryParse(field.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long value)) continue;
            switch (field[..equals])
            {
                case "allocated-bytes": allocated = value; break;
                case "loop-allocated-bytes": loop = value; break;
                case "heap-bytes": heap = value; break;
            }
        }
        return allocated is { } bytes ? new ServerStatsLine(bytes, loop, heap) : null;
    }

    /// <summary>
    /// Bytes allocated per request between <paramref name="before"/> and <paramref name="after"/>, process-wide and on
    /// the loops (null where a figure is missing or a counter went backwards, which would mean another process answered).
    /// </summary>
    public static (double? Process, double? Loops) PerRequest(ServerStatsLine? before, ServerStatsLine? after, long requests)
    {
        if (before is null || after is null || requests <= 0) return (null, null);
        double? process = after.AllocatedBytes >= before.AllocatedBytes ? (after.AllocatedBytes - before.AllocatedBytes) / (double)requests : null;
        double? loops = before.LoopAllocatedBytes is { } b && after.LoopAllocatedBytes is { } a && a >= b ? (a - b) / (double)requests : null;
        return (process, loops);
    }
}
