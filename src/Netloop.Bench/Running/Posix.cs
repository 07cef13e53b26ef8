using System.Runtime.InteropServices;

namespace Netloop.Bench.Running;

/// <summary>The few libc calls the bench needs that .NET does not expose: sending SIGTERM, the file limit, the effective user.</summary>
internal static partial class Posix
{
    /// <summary>SIGTERM: the polite stop every server under test handles.</summary>
    public const int SIGTERM = 15;

    private const int RLIMIT_NOFILE = 7;

    /// <summary>Sends <paramref name="signal"/> to one process; false when it is gone or the kernel refused.</summary>
    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>Whether this process runs as root (nginx then needs a <c>user</c> line; RLIMIT_NOFILE may still be capped).</summary>
    public static bool IsRoot => geteuid() == 0;

    /// <summary>
    /// Raises this process's soft RLIMIT_NOFILE to its hard limit, so servers and load processes started from it inherit
    /// it, and returns the soft limit in force (0 when unknown).
    /// </summary>
    public static long RaiseOpenFileLimit()
    {
        var limit = default(ResourceLimit);
        if (getrlimit(RLIMIT_NOFILE, ref limit) != 0) return 0;
        if (limit.Current < limit.Maximum)
        {
            var raised = new ResourceLimit { Current = limit.Maximum, Maximum = limit.Maximum };
            if (setrlimit(RLIMIT_NOFILE, ref raised) == 0) limit = raised;
        }
        return limit.Current > long.MaxValue ? long.MaxValue : (long)limit.Current;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, ref ResourceLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, ref ResourceLimit limit);
}
