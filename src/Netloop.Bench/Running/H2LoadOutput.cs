using System.Globalization;
using System.Text.RegularExpressions;

namespace Netloop.Bench.Running;

/// <summary>What one h2load run reported (nghttp2's text summary; h2load has no machine-readable output).</summary>
/// <param name="DurationSeconds">The measured duration, from <c>finished in 2.01s, …</c>.</param>
/// <param name="RequestsPerSecond">From <c>finished in …, N req/s, …</c>.</param>
/// <param name="Total">Requests counted (<c>requests: N total</c>).</param>
/// <param name="Started">Requests whose stream was opened (<c>N started</c>).</param>
/// <param name="Succeeded">Requests that completed (<c>N succeeded</c>); those in flight when a timed run ends are neither succeeded nor failed.</param>
/// <param name="Failed">Requests that failed (<c>N failed</c>): errored ones and streams the server reset or refused.</param>
/// <param name="Errored">Requests that could not even be sent or had a protocol error (<c>N errored</c>).</param>
/// <param name="TimedOut">Requests cut by h2load's timeouts (<c>N timeout</c>).</param>
/// <param name="Status2xx">Answers with a 2xx status.</param>
/// <param name="Status3xx">Answers with a 3xx status.</param>
/// <param name="Status4xx">Answers with a 4xx status.</param>
/// <param name="Status5xx">Answers with a 5xx status.</param>
/// <param name="TrafficBytes">Bytes received, headers and frames included (<c>traffic: 10.19MB (10680561) total</c>).</param>
/// <param name="MeanRequestMicroseconds">The mean of <c>time for request</c>, when printed (h2load gives no percentiles).</param>
internal sealed record H2LoadResult(
    double DurationSeconds,
    double RequestsPerSecond,
    long Total,
    long Started,
    long Succeeded,
    long Failed,
    long Errored,
    long TimedOut,
    long Status2xx,
    long Status3xx,
    long Status4xx,
    long Status5xx,
    long TrafficBytes,
    double? MeanRequestMicroseconds)
{
    /// <summary>
    /// Why the run does not count as a measurement: any failed, errored or timed-out request, or an answer that is not a
    /// 2xx (h2load counts a 404 as a success), or nothing at all succeeded; null for a clean run.
    /// </summary>
    public string? Problem
    {
        get
        {
            var parts = new List<string>();
            if (Failed > 0 || Errored > 0 || TimedOut > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{Failed:N0} failed, {Errored:N0} errored, {TimedOut:N0} timeout of {Total:N0} requests"));
            }
            if (Status3xx + Status4xx + Status5xx > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"answers not 2xx: {Status3xx:N0} 3xx, {Status4xx:N0} 4xx, {Status5xx:N0} 5xx"));
            }
            if (parts.Count == 0 && Succeeded <= 0) parts.Add("no request succeeded");
            return parts.Count == 0 ? null : "h2load: " + string.Join("; ", parts);
        }
    }
}

/// <summary>Reads h2load's summary (see <see cref="H2LoadResult"/>) from its standard output.</summary>
internal static partial class H2LoadOutput
{
    /// <summary>The result in <paramref name="stdout"/>; null with the reason when a line it needs is missing or unreadable.</summary>
    public static H2LoadResult? Parse(string stdout, out string? error)
    {
        var finished = Finished().Match(stdout);
        if (!finished.Success)
        {
            error = "h2load printed no 'finished in' line";
            return null;
        }
        var requests = Requests().Match(stdout);
        if (!requests.Success)
        {
            error = "h2load printed no 'requests:' line";
            return null;
        }
        var statuses = StatusCodes().Match(stdout);
        var traffic = Traffic().Match(stdout);
        var timeForRequest = TimeForRequest().Match(stdout);
        error = null;
        return new H2LoadResult(
            DurationSeconds: Seconds(finished.Groups["duration"].Value, finished.Groups["unit"].Value),
            RequestsPerSecond: Number(finished.Groups["rps"].Value),
            Total: Count(requests, "total"),
            Started: Count(requests, "started"),
            Succeeded: Count(requests, "succeeded"),
            Failed: Count(requests, "failed"),
            Errored: Count(requests, "errored"),
            TimedOut: Count(requests, "timeout"),
            Status2xx: statuses.Success ? Count(statuses, "s2") : 0,
            Status3xx: statuses.Success ? Count(statuses, "s3") : 0,
            Status4xx: statuses.Success ? Count(statuses, "s4") : 0,
            Status5xx: statuses.Success ? Count(statuses, "s5") : 0,
            TrafficBytes: traffic.Success ? Count(traffic, "bytes") : 0,
            MeanRequestMicroseconds: timeForRequest.Success ? Seconds(timeForRequest.Groups["mean"].Value, timeForRequest.Groups["unit"].Value) * 1e6 : null);
    }

    private static long Count(Match match, string group) => long.Parse(match.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture);

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    // h2load prints durations as 2.01s, 6.18ms or 105us (and, past a minute, still in seconds).
    private static double Seconds(string value, string unit) => Number(value) * unit switch
    {
        "us" => 1e-6,
        "ms" => 1e-3,
        "m" => 60,
        "h" => 3600,
        _ => 1,
    };

    [GeneratedRegex(@"^finished in (?<duration>[0-9.]+)(?<unit>us|ms|s|m|h), (?<rps>[0-9.]+) req/s", RegexOptions.Multiline)]
    private static partial Regex Finished();

    [GeneratedRegex(@"^requests: (?<total>\d+) total, (?<started>\d+) started, (?<done>\d+) done, (?<succeeded>\d+) succeeded, (?<failed>\d+) failed, (?<errored>\d+) errored, (?<timeout>\d+) timeout", RegexOptions.Multiline)]
    private static partial Regex Requests();

    [GeneratedRegex(@"^status codes: (?<s2>\d+) 2xx, (?<s3>\d+) 3xx, (?<s4>\d+) 4xx, (?<s5>\d+) 5xx", RegexOptions.Multiline)]
    private static partial Regex StatusCodes();

    [GeneratedRegex(@"^traffic: \S+ \((?<bytes>\d+)\) total", RegexOptions.Multiline)]
    private static partial Regex Traffic();

    [GeneratedRegex(@"^time for request:\s+\S+\s+\S+\s+(?<mean>[0-9.]+)(?<unit>us|ms|s)\s", RegexOptions.Multiline)]
    private static partial Regex TimeForRequest();
}
