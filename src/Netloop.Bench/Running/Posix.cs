using System.Globalization;
using Netloop.Native;

namespace Netloop.Bench.Running;

/// <summary>What the bench needs of POSIX that .NET does not expose (sending SIGTERM, the file limit, the effective user), through Netloop's one set of libc bindings.</summary>
internal static class Posix
{
    /// <summary>SIGTERM: the polite stop every server under test handles.</summary>
    public const int SIGTERM = 15;

    /// <summary>SIGUSR2: asks <c>netloop serve</c> (and the Kestrel peer) for a stats line; it ends a process that does not catch it.</summary>
    public const int SIGUSR2 = 12;

    /// <summary>Sends <paramref name="signal"/> to one process; false when it is gone or the kernel refused.</summary>
    public static bool Signal(int pid, int signal) => Sys.Kill(pid, signal) == 0;

    /// <summary>
    /// Whether process <paramref name="pid"/> has a handler for <paramref name="signal"/> (the SigCgt mask of
    /// /proc/PID/status), so sending it a signal whose default action is to terminate is safe; false when unknown.
    /// </summary>
    public static bool Catches(int pid, int signal)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (!line.StartsWith("SigCgt:", StringComparison.Ordinal)) continue;
                return ulong.TryParse(line.AsSpan("SigCgt:".Length).Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong mask)
                    && (mask & (1UL << (signal - 1))) != 0;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process is gone.
        }
        return false;
    }

    /// <summary>Whether this process runs as root (nginx then needs a <c>user</c> line; RLIMIT_NOFILE may still be capped).</summary>
    public static bool IsRoot => Sys.IsRoot;

    /// <summary>
    /// Raises this process's soft RLIMIT_NOFILE to its hard limit, so servers and load processes started from it inherit
    /// it, and returns the soft limit in force (0 when unknown).
    /// </summary>
    public static long RaiseOpenFileLimit()
    {
        ulong soft = Sys.RaiseOpenFileLimit(ulong.MaxValue);
        return soft > long.MaxValue ? long.MaxValue : (long)soft;
    }
}
