namespace Netloop.Bench.Running;

/// <summary>What a set of process trees uses at one moment, summed over every process in them.</summary>
/// <param name="RssBytes">Resident set size.</param>
/// <param name="CpuSeconds">User plus system CPU time since each process started.</param>
/// <param name="Threads">Threads.</param>
/// <param name="OpenFds">Open file descriptors (-1 when /proc/PID/fd was not readable).</param>
/// <param name="Processes">Processes found (0 when every root has exited).</param>
internal readonly record struct TreeUsage(long RssBytes, double CpuSeconds, int Threads, int OpenFds, int Processes);
