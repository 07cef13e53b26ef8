using Microsoft.Extensions.Logging;
using Netloop.Tests.Support;
using Netloop.Transport;

namespace Netloop.Tests.Transport;

/// <summary>
/// A recurring condition (EMFILE on accept, a connection limit reached) reported at most once per interval with the
/// count of what was held back; time is passed in, so nothing here sleeps.
/// </summary>
public class RateLimitedLogTests
{
    private readonly CapturingLoggerFactory _logs = new();

    private RateLimitedLog Create(LogLevel level = LogLevel.Warning, long intervalMs = 1000) =>
        new(_logs.CreateLogger("test"), level, "accept failed", intervalMs);

    private List<string> Messages => _logs.Entries.Select(e => e.Message).ToList();

    [Fact]
    public void The_first_hit_is_logged_at_the_given_level()
    {
        Create(LogLevel.Error).Hit(nowMs: 5_000, detail: "EMFILE");

        var entry = Assert.Single(_logs.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal("accept failed: EMFILE", entry.Message);
    }

    [Fact]
    public void Hits_within_the_interval_are_counted_and_reported_with_the_next_line()
    {
        var log = Create(intervalMs: 1000);
        log.Hit(10_000);
        log.Hit(10_001);
        log.Hit(10_500);
        log.Hit(10_999);
        log.Hit(11_000);

        Assert.Equal(["accept failed", "accept failed (and 3 more since the last report)"], Messages);
    }

    [Fact]
    public void The_interval_runs_from_the_last_line_logged_not_from_the_last_hit()
    {
        var log = Create(intervalMs: 1000);
        for (long t = 0; t <= 3_000; t += 100) log.Hit(t);

        // 31 hits, 100 ms apart: one line per second (t = 0, 1000, 2000, 3000), nine held back before each later one.
        Assert.Equal(
            ["accept failed", "accept failed (and 9 more since the last report)", "accept failed (and 9 more since the last report)", "accept failed (and 9 more since the last report)"],
            Messages);
    }

    [Fact]
    public void A_disabled_level_logs_nothing()
    {
        var log = new RateLimitedLog(new DisabledLogger(), LogLevel.Debug, "accept failed");
        log.Hit(0, "EMFILE");
        log.Hit(10);
        log.Hit(2_000);
    }

    [Fact]
    public void Threads_hitting_at_once_log_one_line_per_interval()
    {
        var log = Create(intervalMs: 1000);
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 10_000; i++) log.Hit(7_000);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        log.Hit(8_000);

        Assert.Equal(["accept failed", "accept failed (and 39999 more since the last report)"], Messages);
    }

    private sealed class DisabledLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            throw new InvalidOperationException("logged at a disabled level");
    }
}
