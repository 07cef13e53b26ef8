namespace Netloop.Protocols.Http1;

/// <summary>
/// The <c>Date: …\r\n</c> header line (RFC 9110 §6.6.1, IMF-fixdate), formatted at most once a second per thread. Each
/// loop thread has its own copy, so reading it takes no lock and allocates nothing.
/// </summary>
internal static class HttpDateCache
{
    [ThreadStatic] private static byte[]? t_line;
    [ThreadStatic] private static long t_second;

    public static ReadOnlySpan<byte> Line
    {
        get
        {
            long now = Environment.TickCount64 / 1000;
            var line = t_line;
            if (line is null || now != t_second)
            {
                line ??= t_line = new byte[6 + 29 + 2];
                "Date: "u8.CopyTo(line);
                DateTime.UtcNow.TryFormat(line.AsSpan(6), out _, "r", System.Globalization.CultureInfo.InvariantCulture);
                "\r\n"u8.CopyTo(line.AsSpan(35));
                t_second = now;
            }
            return line;
        }
    }
}
