using Netloop.Load.Monitoring;

namespace Netloop.Bench.Running;

/// <summary>
/// A server's whole process trees, read from /proc (nginx is a master and a worker; a .NET server is one process; the
/// idle case past one process's file limit is several servers sharing a port), so RSS and CPU are the server's, whatever
/// its shape. The reading itself is <c>netloop load</c>'s <see cref="ProcessTreeSampler"/>, the one /proc reader of
/// load and bench; this sums it over several roots.
/// </summary>
internal static class ProcessTree
{
    /// <summary>
    /// The summed usage of <paramref name="roots"/> and all their descendants; roots that have exited (and processes that
    /// vanish mid-read) are left out. The roots are separate servers: a root inside another root's tree would count twice.
    /// </summary>
    public static TreeUsage Read(IEnumerable<int> roots)
    {
        long rss = 0, ticks = 0;
        int threads = 0, fds = 0, processes = 0;
        foreach (int root in roots.Distinct())
        {
            if (!new ProcessTreeSampler(root).TryRead(out var reading)) continue;
            rss += reading.RssBytes;
            ticks += reading.CpuTicks;
            threads += reading.Threads;
            processes += reading.Processes;
            // One unreadable tree makes the total unknowable; a partial count would understate it.
            fds = fds < 0 || reading.OpenFds < 0 ? -1 : fds + reading.OpenFds;
        }
        return new TreeUsage(rss, ticks / (double)ProcessTreeSampler.TicksPerSecond, threads, fds, processes);
    }
}
