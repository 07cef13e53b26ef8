using Netloop.Load.Results;

namespace Netloop.Load.Monitoring;

/// <summary>
/// Whether a server's memory held steady under constant load: the least-squares RSS trend over the second half of the
/// run, and the verdict <c>steady</c>, <c>growing</c> or <c>too-short</c>.
/// </summary>
/// <remarks>
/// <para>
/// Only the second half (by time) is fitted: the first holds start-up growth that is not a leak (tiered JIT compiling hot
/// paths, pools and GC budgets filling up). The verdict is <c>growing</c> when both hold:
/// </para>
/// <list type="number">
/// <item>the slope exceeds <see cref="MinimumGrowthKbPerMinute"/> and <see cref="MinimumGrowthFractionPerMinute"/> of the
/// mean RSS per minute, so a few hundred KB of late warm-up, or growth that is small for the process's size, is not
/// called a leak; and</item>
/// <item>the growth the fitted line predicts across the window exceeds <see cref="NoiseFactor"/> times the standard
/// deviation of the samples around that line. A GC sawtooth fitted over a window that holds a fraction of a cycle can
/// show a steep slope, but its residuals are then as large as the growth it predicts: simulating a 4 MB sawtooth over a
/// 30 s window, the ratio stays below 2.2 for every period up to 0.9 of the window. A real leak grows steadily, so
/// its ratio climbs with the run's length (a 10 MB/min leak under that sawtooth: above 4 within 30 s).</item>
/// </list>
/// <para>
/// A 1 KiB-per-request leak at a thousand requests a second is 60 MB/min, far beyond both. What the rule cannot tell apart
/// is one GC cycle as long as the whole window from a leak; a longer run settles it. Fewer than
/// <see cref="MinimumSamples"/> samples, or less than <see cref="MinimumWindow"/>, in the second half is <c>too-short</c>
/// (at the 100 ms default interval, a run under about 4 s).
/// </para>
/// </remarks>
/// <param name="Verdict"><see cref="Steady"/>, <see cref="Growing"/> or <see cref="TooShort"/>.</param>
/// <param name="SlopeKbPerMinute">Least-squares RSS slope over the second half, KB (1024 bytes) per minute; 0 when too short.</param>
/// <param name="GrowthKb">Growth the fitted line predicts from the first to the last sample of the second half, KB.</param>
/// <param name="NoiseKb">Standard deviation of the second-half samples around the fitted line, KB.</param>
/// <param name="MeanRssKb">Mean RSS over the second half, KB.</param>
/// <param name="SamplesUsed">Samples in the second half.</param>
public sealed record SteadyStateVerdict(string Verdict, double SlopeKbPerMinute, double GrowthKb, double NoiseKb, double MeanRssKb, int SamplesUsed)
{
    /// <summary>Memory held steady.</summary>
    public const string Steady = "steady";

    /// <summary>Memory kept growing through the second half of the run.</summary>
    public const string Growing = "growing";

    /// <summary>Too few samples for a verdict.</summary>
    public const string TooShort = "too-short";

    /// <summary>Fewest second-half samples a verdict needs.</summary>
    public const int MinimumSamples = 20;

    /// <summary>Slope, KB per minute, below which growth is never a leak (1 MB/min).</summary>
    public const double MinimumGrowthKbPerMinute = 1024;

    /// <summary>Slope, as a fraction of the mean RSS per minute, below which growth is never a leak (2 %/min).</summary>
    public const double MinimumGrowthFractionPerMinute = 0.02;

    /// <summary>How many residual standard deviations the fitted growth must exceed.</summary>
    public const double NoiseFactor = 3;

    /// <summary>Shortest second half a verdict needs.</summary>
    public static readonly TimeSpan MinimumWindow = TimeSpan.FromSeconds(2);

    /// <summary>Judges <paramref name="samples"/> (in time order, as <see cref="ProcessMonitor"/> takes them).</summary>
    public static SteadyStateVerdict Evaluate(IReadOnlyList<MonitorSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) return new SteadyStateVerdict(TooShort, 0, 0, 0, 0, 0);

        long firstMs = samples[0].TimeMs;
        long lastMs = samples[^1].TimeMs;
        double middleMs = (firstMs + lastMs) / 2.0;
        int start = 0;
        while (start < samples.Count && samples[start].TimeMs < middleMs) start++;
        int n = samples.Count - start;
        if (n < MinimumSamples || lastMs - samples[Math.Min(start, samples.Count - 1)].TimeMs < MinimumWindow.TotalMilliseconds)
        {
            return new SteadyStateVerdict(TooShort, 0, 0, 0, 0, n);
        }

        // Least squares of RSS (KB) against time (minutes), centred on the means for numerical stability.
        double meanT = 0, meanY = 0;
        for (int i = start; i < samples.Count; i++)
        {
            meanT += Minutes(samples[i]);
            meanY += Kb(samples[i]);
        }
        meanT /= n;
        meanY /= n;
        double sxx = 0, sxy = 0;
        for (int i = start; i < samples.Count; i++)
        {
            double dt = Minutes(samples[i]) - meanT;
            sxx += dt * dt;
            sxy += dt * (Kb(samples[i]) - meanY);
        }
        double slope = sxx > 0 ? sxy / sxx : 0;
        double squares = 0;
        for (int i = start; i < samples.Count; i++)
        {
            double residual = Kb(samples[i]) - (meanY + slope * (Minutes(samples[i]) - meanT));
            squares += residual * residual;
        }
        double noise = Math.Sqrt(squares / (n - 2));
        double growth = slope * (Minutes(samples[^1]) - Minutes(samples[start]));

        double threshold = Math.Max(MinimumGrowthKbPerMinute, MinimumGrowthFractionPerMinute * meanY);
        bool grows = slope > threshold && growth > NoiseFactor * noise;
        return new SteadyStateVerdict(grows ? Growing : Steady, slope, growth, noise, meanY, n);
    }

    private static double Minutes(MonitorSample sample) => sample.TimeMs / 60_000.0;

    private static double Kb(MonitorSample sample) => sample.RssBytes / 1024.0;
}
