using System.Buffers;
using System.Buffers.Text;

namespace Netloop.Http.StaticFiles;

/// <summary>
/// HTTP-date (RFC 9110 §5.6.7): formats the preferred IMF-fixdate, <c>Sun, 06 Nov 1994 08:49:37 GMT</c>, and parses
/// it and the two obsolete forms recipients must accept: RFC 850 (<c>Sunday, 06-Nov-94 08:49:37 GMT</c>) and asctime
/// (<c>Sun Nov  6 08:49:37 1994</c>).
/// </summary>
internal static class HttpDate
{
    /// <summary>The length of an IMF-fixdate in bytes.</summary>
    public const int Length = 29;

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] ShortDays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] LongDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    /// <summary>Formats <paramref name="value"/> (converted to UTC, fractions of a second dropped) as an IMF-fixdate.</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("r", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes the IMF-fixdate of <paramref name="value"/> as ASCII; needs <see cref="Length"/> bytes.</summary>
    public static bool TryFormat(DateTimeOffset value, Span<byte> destination, out int written) =>
        Utf8Formatter.TryFormat(value.ToUniversalTime(), destination, out written, new StandardFormat('R'));

    /// <summary>
    /// Parses any of the three HTTP-date forms. Surrounding whitespace is ignored and names match ignoring case;
    /// anything else (a missing <c>GMT</c>, an impossible date, trailing text) fails. A two-digit RFC 850 year more than
    /// 50 years in the future is taken from the previous century (RFC 9110 §5.6.7). Leap second 60 reads as 59.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        value = default;
        text = text.Trim(" \t"u8);
        if (text.Length < 24) return false;
        int comma = text.IndexOf((byte)',');
        return comma switch
        {
            3 => TryParseImfFixdate(text, out value),
            > 3 => TryParseRfc850(text, comma, out value),
            _ => TryParseAsctime(text, out value),
        };
    }

    /// <summary>Parses an HTTP-date given as text; see <see cref="TryParse(ReadOnlySpan{byte}, out DateTimeOffset)"/>.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length > 64) return false;
        Span<byte> ascii = stackalloc byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] > 0x7F) return false;
            ascii[i] = (byte)text[i];
        }
        return TryParse(ascii, out value);
    }

    // Sun, 06 Nov 1994 08:49:37 GMT
    private static bool TryParseImfFixdate(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        return s.Length == Length
            && IndexOfName(s[..3], ShortDays) >= 0
            && s[3] == ',' && s[4] == ' ' && s[7] == ' ' && s[11] == ' ' && s[16] == ' '
            && TryDigits(s.Slice(5, 2), out int day)
            && (IndexOfName(s.Slice(8, 3), Months) + 1) is int month && month > 0
            && TryDigits(s.Slice(12, 4), out int year)
            && IsGmt(s[25..])
            && TryBuild(year, month, day, s.Slice(17, 8), out value);
    }

    // Sunday, 06-Nov-94 08:49:37 GMT
    private static bool TryParseRfc850(ReadOnlySpan<byte> s, int comma, out DateTimeOffset value)
    {
        value = default;
        if (IndexOfName(s[..comma], LongDays) < 0) return false;
        s = s[(comma + 1)..];
        if (s.Length != 23) return false;
        if (!(s[0] == ' ' && s[3] == '-' && s[7] == '-' && s[10] == ' ')) return false;
        if (!TryDigits(s.Slice(1, 2), out int day)) return false;
        int month = IndexOfName(s.Slice(4, 3), Months) + 1;
        if (month == 0 || !TryDigits(s.Slice(8, 2), out int yy) || !IsGmt(s[19..])) return false;
        int now = DateTime.UtcNow.Year;
        int year = (now / 100 * 100) + yy;
        if (year > now + 50) year -= 100;
        return TryBuild(year, month, day, s.Slice(11, 8), out value);
    }

    // Sun Nov  6 08:49:37 1994
    private static bool TryParseAsctime(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length != 24 || IndexOfName(s[..3], ShortDays) < 0) return false;
        if (!(s[3] == ' ' && s[7] == ' ' && s[10] == ' ' && s[19] == ' ')) return false;
        int month = IndexOfName(s.Slice(4, 3), Months) + 1;
        ReadOnlySpan<byte> dayText = s[8] == ' ' ? s.Slice(9, 1) : s.Slice(8, 2);
        if (month == 0 || !TryDigits(dayText, out int day) || !TryDigits(s.Slice(20, 4), out int year)) return false;
        return TryBuild(year, month, day, s.Slice(11, 8), out value);
    }

    // HH:MM:SS
    private static bool TryBuild(int year, int month, int day, ReadOnlySpan<byte> time, out DateTimeOffset value)
    {
        value = default;
        if (time[2] != ':' || time[5] != ':') return false;
        if (!TryDigits(time[..2], out int hour) || !TryDigits(time.Slice(3, 2), out int minute) || !TryDigits(time.Slice(6, 2), out int second)) return false;
        if (year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return false;
        value = new DateTimeOffset(year, month, day, hour, minute, Math.Min(second, 59), TimeSpan.Zero);
        return true;
    }

    private static bool IsGmt(ReadOnlySpan<byte> s) => s.Length == 4 && s[0] == ' ' && System.Text.Ascii.EqualsIgnoreCase(s[1..], "GMT"u8);

    private static bool TryDigits(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        foreach (byte b in s)
        {
            if ((uint)(b - '0') > 9) return false;
            value = (value * 10) + (b - '0');
        }
        return true;
    }

    private static int IndexOfName(ReadOnlySpan<byte> s, string[] names)
    {
        for (int i = 0; i < names.Length; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(s, names[i])) return i;
        }
        return -1;
    }
}
