using System.Globalization;

namespace Netloop.Server;

/// <summary>
/// What a stopped server left behind, the proof of promise 2 (no leaks at shutdown): connections its engine still
/// counts as open, handler tasks not finished, pooled buffers not returned, sockets the process holds beyond those it
/// held before the start, and managed heap growth after a full collection. <see cref="Verdict"/> is the line
/// <c>netloop serve</c> prints at exit.
/// </summary>
public sealed record ShutdownAudit
{
    /// <summary>Heap growth beyond which the heap counts as leaked: start-up caches, pools and JIT data stay well under it.</summary>
    public const long HeapGrowthAllowance = 16L * 1024 * 1024;

    /// <summary>Connections the engine still counts as open.</summary>
    public long OpenConnections { get; init; }

    /// <summary>Connection tasks started and not finished (the async modes; 0 elsewhere).</summary>
    public long UnfinishedTasks { get; init; }

    /// <summary>Pooled buffers rented and not returned.</summary>
    public long BuffersOutstanding { get; init; }

    /// <summary>Sockets open in the process now minus before the start; -1 when unknown (no <c>/proc</c>).</summary>
    public int SocketsAboveStart { get; init; }

    /// <summary>Managed heap after a full collection now minus the heap at the start (taken without a collection, so a little low).</summary>
    public long HeapGrowthBytes { get; init; }

    /// <summary>Handler exceptions no code observed (the async modes that forget their tasks; information, not a leak).</summary>
    public long UnobservedExceptions { get; init; }

    /// <summary>True when nothing was left behind.</summary>
    public bool IsClean => OpenConnections == 0 && UnfinishedTasks == 0 && BuffersOutstanding == 0
        && SocketsAboveStart <= 0 && HeapGrowthBytes <= HeapGrowthAllowance;

    /// <summary>
    /// One line: <c>leaks: none (...)</c>, or <c>leaks: 3 tasks not finished, 3 sockets open, ...</c>, always with the
    /// heap figure so runs can be compared.
    /// </summary>
    public string Verdict
    {
        get
        {
            var found = new List<string>();
            if (UnfinishedTasks > 0) found.Add(Count(UnfinishedTasks, "task", "tasks") + " not finished");
            if (OpenConnections > 0) found.Add(Count(OpenConnections, "connection", "connections") + " open");
            if (SocketsAboveStart > 0) found.Add(Count(SocketsAboveStart, "socket", "sockets") + " above start-up");
            if (BuffersOutstanding > 0) found.Add(Count(BuffersOutstanding, "pooled buffer", "pooled buffers") + " outstanding");
            if (HeapGrowthBytes > HeapGrowthAllowance) found.Add($"heap grew {Megabytes(HeapGrowthBytes)}");
            var notes = new List<string> { $"heap {(HeapGrowthBytes >= 0 ? "+" : "-")}{Megabytes(Math.Abs(HeapGrowthBytes))} after a full GC" };
            if (UnobservedExceptions > 0) notes.Add(Count(UnobservedExceptions, "unobserved task exception", "unobserved task exceptions"));
            string tail = string.Join(", ", notes);
            return found.Count == 0 ? $"leaks: none ({tail})" : $"leaks: {string.Join(", ", found)} ({tail})";
        }
    }

    private static string Count(long n, string one, string many) => string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? one : many)}");

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.0} MiB");
}
