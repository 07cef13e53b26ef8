using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Netloop.Server;

namespace Netloop.Cli;

/// <summary>
/// SIGUSR2 makes <c>netloop serve</c> log one line of counters, e.g.
/// <c>stats: allocated-bytes=52431872 loop-allocated-bytes=1048576 connections=256 accepted=300 heap-bytes=3145728
/// gc-committed-bytes=8388608 gcs=12</c>, so a bench can take the managed bytes allocated around a load and divide them by
/// the requests it completed. <c>allocated-bytes</c> is the whole process (<see cref="GC.GetTotalAllocatedBytes(bool)"/>,
/// precise); <c>loop-allocated-bytes</c> the event-loop threads only (<see cref="ServerStats.LoopAllocatedBytes"/>),
/// present in the reactor modes alone. <c>heap-bytes</c> is the managed heap in use now, garbage not yet collected
/// included (<see cref="GC.GetTotalMemory(bool)"/> without a collection); <c>gc-committed-bytes</c> the memory the GC had
/// committed at its last collection (<see cref="GCMemoryInfo.TotalCommittedBytes"/>); <c>gcs</c> the collections so far
/// (gen 0 counts every one): together they tell managed growth apart from native growth in an RSS figure.
/// </summary>
/// <remarks>
/// The runtime runs the handler off the signal-handling thread, never on a loop: it only reads counters the loops
/// publish with volatile writes, and the precise allocation count pauses managed threads for microseconds, so a bench
/// asking twice per measured load does not disturb it. Registered after the server started, so the counters exist;
/// until then SIGUSR2 keeps its default action (ending the process), which a caller avoids by waiting for the
/// start-up line.
/// </remarks>
internal sealed class StatsSignal : IDisposable
{
    /// <summary>SIGUSR2 on Linux; .NET names no such <see cref="PosixSignal"/>, but accepts the raw number on Unix.</summary>
    public const int SIGUSR2 = 12;

    /// <summary>What the line starts with (after the log's timestamp and category).</summary>
    public const string Prefix = "stats: ";

    private readonly NetloopServer _server;
    private readonly ILogger _logger;
    private readonly bool _hasLoops;
    private readonly PosixSignalRegistration _registration;

    /// <summary>Starts answering SIGUSR2 with a stats line about <paramref name="server"/>, logged to <paramref name="logger"/>.</summary>
    public StatsSignal(NetloopServer server, ILogger logger)
    {
        _server = server;
        _logger = logger;
        _hasLoops = server.RunsEventLoops;
        _registration = PosixSignalRegistration.Create((PosixSignal)SIGUSR2, OnSignal);
    }

    /// <summary>Restores SIGUSR2's default action.</summary>
    public void Dispose() => _registration.Dispose();

    /// <summary>The line for these figures; <paramref name="loopAllocatedBytes"/> null leaves the field out (no event loops).</summary>
    public static string Format(long allocatedBytes, long? loopAllocatedBytes, long connections, long accepted, HeapFigures heap)
    {
        string loops = loopAllocatedBytes is { } bytes ? string.Create(CultureInfo.InvariantCulture, $" loop-allocated-bytes={bytes}") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}allocated-bytes={allocatedBytes}{loops} connections={connections} accepted={accepted} heap-bytes={heap.HeapBytes} gc-committed-bytes={heap.CommittedBytes} gcs={heap.Collections}");
    }

    /// <summary>The managed heap as the stats line reports it.</summary>
    /// <param name="HeapBytes">Managed heap in use now, uncollected garbage included.</param>
    /// <param name="CommittedBytes">Memory the GC had committed at its last collection.</param>
    /// <param name="Collections">Collections so far (gen 0's count, which every collection raises).</param>
    public readonly record struct HeapFigures(long HeapBytes, long CommittedBytes, int Collections)
    {
        /// <summary>This process's figures now; reads counters only, never collects.</summary>
        public static HeapFigures Now() => new(GC.GetTotalMemory(forceFullCollection: false), GC.GetGCMemoryInfo().TotalCommittedBytes, GC.CollectionCount(0));
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Read first, so the line's own formatting falls after the figure it reports.
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var heap = HeapFigures.Now();
        var stats = _server.GetStats();
        context.Cancel = true;
        _logger.LogInformation("{Stats}", Format(allocated, _hasLoops ? stats.LoopAllocatedBytes : null, stats.Active, stats.Accepted, heap));
    }
}
