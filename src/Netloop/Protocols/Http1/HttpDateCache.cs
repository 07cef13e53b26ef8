using Netloop.Reactor;

namespace Netloop.Protocols.Http1;

/// <summary>
/// The <c>Date: …\r\n</c> header line (RFC 9110 §6.6.1, IMF-fixdate), formatted at most once a second per thread and
/// clock. Each loop thread has its own copy, so reading it takes no lock and allocates nothing; the time comes from the
/// connection's loop clock, so a test driving a fake clock sees its own dates.
/// </summary>
internal static class HttpDateCache
{
    [ThreadStatic] private static byte[]? t_line;
    [ThreadStatic] private static long t_second;
    [ThreadStatic] private static LoopClock? t_clock;

    public static ReadOnlySpan<byte> Line(LoopClock clock)
    {
        long now = clock.NowMs / 1000;
        var line = t_line;
        if (line is null || now != t_second || !ReferenceEquals(clock, t_clock))
        {
            line ??= t_line = new byte[6 + 29 + 2];
            "Date: "u8.CopyTo(line);
            clock.UtcNow.TryFormat(line.AsSpan(6), out _, "r", System.Globalization.CultureInfo.InvariantCulture);
            "\r\n"u8.CopyTo(line.AsSpan(35));
            t_second = now;
            t_clock = clock;
        }
        return line;
    }
}
