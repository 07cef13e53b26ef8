using System.Diagnostics;
using Netloop.Native;

namespace Netloop.Server;

/// <summary>Pins the process to one CPU (sched_setaffinity), so a benchmark's server and load generator do not share a core.</summary>
internal static class ProcessorAffinity
{
    /// <summary>
    /// Pins every thread of this process to <paramref name="cpu"/>: the threads running now, and (as threads inherit their
    /// creator's mask) every thread started later. Returns false with a one-line reason when the CPU does not exist or
    /// the kernel refuses.
    /// </summary>
    public static bool TryPinProcess(int cpu, out string? error)
    {
        if (cpu < 0 || cpu >= Environment.ProcessorCount)
        {
            error = $"cpu {cpu} does not exist (this machine has cpus 0-{Environment.ProcessorCount - 1})";
            return false;
        }
        foreach (ProcessThread thread in Process.GetCurrentProcess().Threads)
        {
            int rc = Sys.SetAffinity(thread.Id, cpu);
            // A thread may exit between the listing and the call (ESRCH); it needs no pinning then.
            if (rc < 0 && (Errno)(-rc) != Errno.ESRCH)
            {
                error = $"cannot pin to cpu {cpu}: {(Errno)(-rc)}";
                return false;
            }
        }
        error = null;
        return true;
    }
}
