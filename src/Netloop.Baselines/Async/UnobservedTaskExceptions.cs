namespace Netloop.Baselines.Async;

/// <summary>
/// Counts the process's unobserved task exceptions (a faulted task no code awaited, reported when the GC finalizes it):
/// what fire-and-forget turns every handler failure into. Process-wide, so an engine reads the difference over its life.
/// </summary>
internal static class UnobservedTaskExceptions
{
    private static long s_count;

    static UnobservedTaskExceptions()
    {
        TaskScheduler.UnobservedTaskException += static (_, e) =>
        {
            Interlocked.Increment(ref s_count);
            e.SetObserved(); // counted; the default (ignore) would follow anyway, this only keeps it from being reported twice
        };
    }

    /// <summary>Unobserved task exceptions reported in this process so far.</summary>
    public static long Count => Volatile.Read(ref s_count);
}
