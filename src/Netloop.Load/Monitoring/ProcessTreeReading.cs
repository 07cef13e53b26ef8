namespace Netloop.Load.Monitoring;

/// <summary>What <see cref="ProcessTreeSampler"/> read from /proc for a process and its descendants at one moment, summed over the tree.</summary>
/// <param name="RssBytes">Resident set size, bytes.</param>
/// <param name="CpuTicks">
/// CPU time used so far in clock ticks (<see cref="ProcessTreeSampler.TicksPerSecond"/>): user + system of every process
/// in the tree, plus the user + system of children they have reaped, so a worker that exits during the run keeps counting.
/// </param>
/// <param name="Threads">Threads.</param>
/// <param name="OpenFds">Open file descriptors; -1 when some process's /proc/PID/fd could not be read (another user's process).</param>
/// <param name="Processes">Processes in the tree (1 = the process alone).</param>
public readonly record struct ProcessTreeReading(long RssBytes, long CpuTicks, int Threads, int OpenFds, int Processes);
