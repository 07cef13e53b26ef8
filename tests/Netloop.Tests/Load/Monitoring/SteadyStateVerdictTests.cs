using Netloop.Load.Monitoring;
using Netloop.Load.Results;

namespace Netloop.Tests.Load.Monitoring;

/// <summary>The verdict on synthetic RSS series: what a healthy server, a leaking one and a short run look like.</summary>
public sealed class SteadyStateVerdictTests
{
    private const long MB = 1024 * 1024;

    /// <summary>Samples every 100 ms for <paramref name="seconds"/>, RSS from <paramref name="rss"/> (time in seconds → bytes) plus ±200 KB of jitter.</summary>
    private static List<MonitorSample> Series(double seconds, Func<double, double> rss, int seed = 1)
    {
        var random = new Random(seed);
        var samples = new List<MonitorSample>();
        for (int i = 0; i * 0.1 <= seconds; i++)
        {
            double t = i * 0.1;
            double jitter = (random.NextDouble() - 0.5) * 400 * 1024;
            samples.Add(new MonitorSample { TimeMs = i * 100, RssBytes = (long)(rss(t) + jitter), Threads = 20, OpenFds = 50 });
        }
        return samples;
    }

    /// <summary>A GC sawtooth: climbs <paramref name="amplitude"/> bytes over each period, then drops back.</summary>
    private static double Sawtooth(double t, double period, double amplitude, double phase = 0) => amplitude * ((t + phase) % period / period);

    [Theory]
    [InlineData(1.0)]
    [InlineData(3.0)]
    [InlineData(7.0)]
    [InlineData(12.0)]
    public void Flat_memory_with_a_GC_sawtooth_of_a_few_MB_is_steady(double period)
    {
        for (int seed = 0; seed < 10; seed++)
        {
            double phase = seed * period / 10;
            var verdict = SteadyStateVerdict.Evaluate(Series(60, t => 80 * MB + Sawtooth(t, period, 4 * MB, phase), seed));
            Assert.True(verdict.Verdict == SteadyStateVerdict.Steady, $"period {period} s, phase {phase:F1} s: {verdict}");
        }
    }

    [Fact]
    public void Warm_up_growth_in_the_first_half_is_not_a_leak()
    {
        // Tiered JIT and pools filling: +30 MB over the first 20 s, then flat with a sawtooth.
        var verdict = SteadyStateVerdict.Evaluate(Series(60, t => 50 * MB + Math.Min(t, 20) / 20 * 30 * MB + Sawtooth(t, 3, 4 * MB)));
        Assert.Equal(SteadyStateVerdict.Steady, verdict.Verdict);
    }

    [Fact]
    public void Linear_growth_of_10_MB_per_minute_under_a_sawtooth_is_growing()
    {
        var verdict = SteadyStateVerdict.Evaluate(Series(60, t => 80 * MB + 10 * MB * t / 60 + Sawtooth(t, 3, 4 * MB)));
        Assert.Equal(SteadyStateVerdict.Growing, verdict.Verdict);
        Assert.InRange(verdict.SlopeKbPerMinute, 9 * 1024, 11 * 1024);
        Assert.True(verdict.GrowthKb > SteadyStateVerdict.NoiseFactor * verdict.NoiseKb, verdict.ToString());
    }

    [Fact]
    public void A_1_KiB_per_request_leak_at_1000_requests_per_second_is_growing_within_10_seconds()
    {
        var verdict = SteadyStateVerdict.Evaluate(Series(10, t => 60 * MB + 1000 * 1024 * t + Sawtooth(t, 2, 4 * MB)));
        Assert.Equal(SteadyStateVerdict.Growing, verdict.Verdict);
        Assert.InRange(verdict.SlopeKbPerMinute, 50 * 1024, 70 * 1024);
    }

    [Fact]
    public void Slow_growth_below_1_MB_per_minute_is_steady()
    {
        var verdict = SteadyStateVerdict.Evaluate(Series(60, t => 40 * MB + 0.5 * MB * t / 60));
        Assert.Equal(SteadyStateVerdict.Steady, verdict.Verdict);
        Assert.InRange(verdict.SlopeKbPerMinute, 0, 1024);
    }

    [Fact]
    public void Growth_small_for_the_process_size_is_steady()
    {
        // 15 MB/min on a 2 GB process is under 2 % of its size per minute.
        var verdict = SteadyStateVerdict.Evaluate(Series(60, t => 2048 * MB + 15 * MB * t / 60));
        Assert.Equal(SteadyStateVerdict.Steady, verdict.Verdict);
    }

    [Fact]
    public void Shrinking_memory_is_steady()
    {
        var verdict = SteadyStateVerdict.Evaluate(Series(30, t => 200 * MB - 20 * MB * t / 60));
        Assert.Equal(SteadyStateVerdict.Steady, verdict.Verdict);
        Assert.True(verdict.SlopeKbPerMinute < 0);
    }

    [Fact]
    public void Fewer_than_20_samples_in_the_second_half_is_too_short()
    {
        // 3.5 s at 100 ms: 18 samples from the middle on.
        var verdict = SteadyStateVerdict.Evaluate(Series(3.5, t => 80 * MB + 100 * MB * t));
        Assert.Equal(SteadyStateVerdict.TooShort, verdict.Verdict);
        Assert.True(verdict.SamplesUsed < SteadyStateVerdict.MinimumSamples);
        Assert.Equal(0, verdict.SlopeKbPerMinute);
    }

    [Fact]
    public void Many_samples_in_under_two_seconds_is_too_short()
    {
        var samples = Enumerable.Range(0, 300).Select(i => new MonitorSample { TimeMs = i * 5, RssBytes = 80 * MB + i * MB }).ToList();
        Assert.Equal(SteadyStateVerdict.TooShort, SteadyStateVerdict.Evaluate(samples).Verdict);
    }

    [Fact]
    public void No_samples_is_too_short()
    {
        Assert.Equal(SteadyStateVerdict.TooShort, SteadyStateVerdict.Evaluate([]).Verdict);
    }

    [Fact]
    public void Four_seconds_is_enough_for_a_verdict()
    {
        var verdict = SteadyStateVerdict.Evaluate(Series(4.2, _ => 80 * MB));
        Assert.Equal(SteadyStateVerdict.Steady, verdict.Verdict);
        Assert.True(verdict.SamplesUsed >= SteadyStateVerdict.MinimumSamples);
    }
}
