using Netloop.Bench.Report;

namespace Netloop.Bench.Running;

/// <summary>
/// The soak's verdict when the load's own monitor gave none: a least-squares RSS slope over the second half of the run
/// (the first half holds warm-up, JIT and pool growth), "growing" when it exceeds 1 % of the mean RSS per minute and
/// at least 256 KB per minute.
/// </summary>
internal static class RssTrend
{
    /// <summary>Too few points for a verdict.</summary>
    public const string TooShort = "too-short";
    /// <summary>Flat within the threshold.</summary>
    public const string Steady = "steady";
    /// <summary>Rising beyond it.</summary>
    public const string Growing = "growing";

    private const int MinimumPoints = 10;
    private const double MinimumSeconds = 20;
    private const double MinimumGrowthKbPerMinute = 256;

    /// <summary>Slope (KB per minute) over the second half and the verdict.</summary>
    public static (double SlopeKbPerMinute, string Verdict) Analyze(IReadOnlyList<RssPoint> curve)
    {
        if (curve.Count < MinimumPoints || curve[^1].Seconds - curve[0].Seconds < MinimumSeconds) return (0, TooShort);
        var half = curve.Skip(curve.Count / 2).ToList();
        double meanX = half.Average(p => p.Seconds);
        double meanY = half.Average(p => (double)p.RssBytes);
        double numerator = half.Sum(p => (p.Seconds - meanX) * (p.RssBytes - meanY));
        double denominator = half.Sum(p => (p.Seconds - meanX) * (p.Seconds - meanX));
        double bytesPerSecond = denominator == 0 ? 0 : numerator / denominator;
        double kbPerMinute = bytesPerSecond * 60 / 1024;
        double threshold = Math.Max(MinimumGrowthKbPerMinute, meanY / 1024 * 0.01);
        return (kbPerMinute, kbPerMinute > threshold ? Growing : Steady);
    }
}
