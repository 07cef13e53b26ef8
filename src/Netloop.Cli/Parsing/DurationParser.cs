using System.CommandLine.Parsing;
using System.Globalization;

namespace Netloop.Cli.Parsing;

/// <summary>
/// Durations as people type them: <c>500ms</c>, <c>60s</c>, <c>2m</c>, <c>1h</c>, or plain seconds (<c>30</c>, <c>0.5</c>).
/// TimeSpan's own <c>00:01:00</c> format is easy to get wrong on a command line.
/// </summary>
internal static class DurationParser
{
    /// <summary>What a duration looks like, for error messages.</summary>
    public const string Expected = "a duration such as 500ms, 60s, 2m, 1h, or plain seconds";

    private static readonly (string Suffix, double Milliseconds)[] s_units =
    [
        // "ms" before "m" and "s": the suffix is matched by EndsWith.
        ("ms", 1),
        ("s", 1_000),
        ("m", 60_000),
        ("h", 3_600_000),
    ];

    /// <summary>Parses a non-negative duration; false for anything else, including values TimeSpan cannot hold.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var span = text.AsSpan().Trim();
        double unit = 1_000;
        foreach (var (suffix, milliseconds) in s_units)
        {
            if (span.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                span = span[..^suffix.Length];
                unit = milliseconds;
                break;
            }
        }
        // No sign, exponent or thousands separator: "1e3s" or "-5s" is more likely a typo than intent.
        if (span.IsEmpty || !double.TryParse(span, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount))
        {
            return false;
        }
        double total = amount * unit;
        if (!double.IsFinite(total) || total >= TimeSpan.MaxValue.TotalMilliseconds) return false;
        duration = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>Formats in the unit a person would type: <c>1h</c>, <c>60s</c>, <c>500ms</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero) return "0s";
        if (duration.Ticks % TimeSpan.TicksPerHour == 0) return FormattableString.Invariant($"{duration.Ticks / TimeSpan.TicksPerHour}h");
        if (duration.Ticks % TimeSpan.TicksPerSecond == 0) return FormattableString.Invariant($"{duration.Ticks / TimeSpan.TicksPerSecond}s");
        return FormattableString.Invariant($"{duration.TotalMilliseconds}ms");
    }

    /// <summary>A custom parser for duration options; a bad value becomes a one-line parse error.</summary>
    public static TimeSpan? Parse(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        return TryParse(token, out var duration) ? duration : InvalidValue.Report<TimeSpan?>(result, Expected);
    }
}
