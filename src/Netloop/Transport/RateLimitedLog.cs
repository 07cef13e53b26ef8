using Microsoft.Extensions.Logging;

namespace Netloop.Transport;

/// <summary>Logs a recurring condition at most once per interval, with how many times it happened meanwhile. Safe from any thread.</summary>
internal sealed class RateLimitedLog(ILogger logger, LogLevel level, string message, long intervalMs = 1000)
{
    private long _lastMs = long.MinValue / 2;
    private long _suppressed;

    public void Hit(long nowMs, string? detail = null)
    {
        long last = Volatile.Read(ref _lastMs);
        if (nowMs - last < intervalMs || Interlocked.CompareExchange(ref _lastMs, nowMs, last) != last)
        {
            Interlocked.Increment(ref _suppressed);
            return;
        }
        long suppressed = Interlocked.Exchange(ref _suppressed, 0);
        if (!logger.IsEnabled(level)) return;
        string text = detail is null ? message : $"{message}: {detail}";
        if (suppressed > 0) text += $" (and {suppressed} more since the last report)";
        logger.Log(level, "{Message}", text);
    }
}
