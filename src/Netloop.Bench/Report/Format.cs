using System.Globalization;

namespace Netloop.Bench.Report;

/// <summary>How numbers read in the report: thousands separated, units a person would pick.</summary>
internal static class Format
{
    /// <summary><c>152,345</c>.</summary>
    public static string Count(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>One decimal below 100, none above: <c>6.4</c>, <c>1,234</c>.</summary>
    public static string Number(double value) =>
        value.ToString(Math.Abs(value) < 100 ? "N1" : "N0", CultureInfo.InvariantCulture);

    /// <summary>Bytes per request, with the decimals that matter near zero: <c>0.00</c>, <c>3.25</c>, <c>48.1</c>, <c>1,234</c>.</summary>
    public static string BytesPerRequest(double value) =>
        value.ToString(Math.Abs(value) switch { < 10 => "N2", < 100 => "N1", _ => "N0" }, CultureInfo.InvariantCulture);

    /// <summary>A ratio: <c>2.54×</c>.</summary>
    public static string Ratio(double value) => value.ToString(value < 10 ? "0.00" : "N1", CultureInfo.InvariantCulture) + "×";

    /// <summary>A latency from microseconds: <c>850 µs</c>, <c>2.31 ms</c>, <c>1.20 s</c>.</summary>
    public static string Latency(double microseconds) => microseconds switch
    {
        < 1000 => microseconds.ToString("N0", CultureInfo.InvariantCulture) + " µs",
        < 1_000_000 => (microseconds / 1000).ToString("N2", CultureInfo.InvariantCulture) + " ms",
        _ => (microseconds / 1_000_000).ToString("N2", CultureInfo.InvariantCulture) + " s",
    };

    /// <summary>A size: <c>281 B</c>, <c>36.0 KiB</c>, <c>48.2 MiB</c>, <c>24.0 GiB</c>.</summary>
    public static string Bytes(double bytes) => Math.Abs(bytes) switch
    {
        < 10 * 1024 => bytes.ToString("N0", CultureInfo.InvariantCulture) + " B",
        < 10 * 1048576 => (bytes / 1024).ToString("N1", CultureInfo.InvariantCulture) + " KiB",
        < 10 * 1073741824.0 => (bytes / 1048576).ToString("N1", CultureInfo.InvariantCulture) + " MiB",
        _ => (bytes / 1073741824).ToString("N1", CultureInfo.InvariantCulture) + " GiB",
    };

    /// <summary>A duration: <c>3 s</c>, <c>2 min 05 s</c>.</summary>
    public static string Duration(double seconds)
    {
        if (seconds < 60) return seconds.ToString(seconds < 10 && seconds % 1 != 0 ? "0.#" : "0", CultureInfo.InvariantCulture) + " s";
        var span = TimeSpan.FromSeconds(Math.Round(seconds));
        return span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes:00} min")
            : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes} min {span.Seconds:00} s");
    }

    /// <summary>Text safe inside a Markdown table cell (no pipes, no line breaks).</summary>
    public static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ');
}
