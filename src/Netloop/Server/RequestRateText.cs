using System.Globalization;

namespace Netloop.Server;

/// <summary>
/// A request rate as people write it: <c>100/s</c>, <c>600/m</c>, <c>5000/h</c>, or a plain number of requests per
/// second. One reading for <c>netloop serve --rate-limit</c> and the <c>Netloop:PerIpLimits:RequestsPerSecond</c> key.
/// </summary>
internal static class RequestRateText
{
    /// <summary>What a rate looks like, for error messages.</summary>
    public const string Expected = "requests per second or minute such as 100/s or 600/m (0: no limit)";

    /// <summary>Parses a rate into requests per second; false for anything negative, not finite, or above <see cref="PerIpLimitOptions.MaxRequestsPerSecond"/>.</summary>
    public static bool TryParse(string text, out double requestsPerSecond)
    {
        requestsPerSecond = 0;
        var span = text.AsSpan().Trim();
        double per = 1;
        int slash = span.IndexOf('/');
        if (slash >= 0)
        {
            per = span[(slash + 1)..].Trim() switch
            {
                "s" or "sec" or "second" => 1,
                "m" or "min" or "minute" => 60,
                "h" or "hour" => 3600,
                _ => 0,
            };
            if (per == 0) return false;
            span = span[..slash].Trim();
        }
        if (span.IsEmpty || !double.TryParse(span, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double count)) return false;
        double rate = count / per;
        if (!double.IsFinite(rate) || rate > PerIpLimitOptions.MaxRequestsPerSecond) return false;
        requestsPerSecond = rate;
        return true;
    }
}
