using System.Diagnostics;

namespace Netloop.Bench.Running;

/// <summary>One <see cref="ProcessTree"/> reading, taken <see cref="TimeMs"/> after sampling began.</summary>
internal readonly record struct TreeSample(long TimeMs, TreeUsage Usage);

/// <summary>
/// Samples the server's process trees at a fixed interval while a case runs: the idle case takes the RSS at the moment
/// the most connections were open, and the soak draws its RSS curve from it.
/// </summary>
internal sealed class TreeSampler : IAsyncDisposable
{
    private readonly List<TreeSample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private TreeSampler(IReadOnlyList<int> roots, TimeSpan interval)
    {
        _loop = Task.Run(() => RunAsync(roots, interval, _stop.Token));
    }

    /// <summary>Starts sampling <paramref name="roots"/> (and their descendants) every <paramref name="interval"/>, beginning now.</summary>
    public static TreeSampler Start(IReadOnlyList<int> roots, TimeSpan interval) => new(roots, interval);

    /// <summary>The newest sample so far, or null before the first.</summary>
    public TreeSample? Latest
    {
        get
        {
            lock (_samples) return _samples.Count == 0 ? null : _samples[^1];
        }
    }

    /// <summary>Takes one last sample, stops, and returns every sample in order.</summary>
    public async Task<IReadOnlyList<TreeSample>> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        lock (_samples) return _samples.ToList();
    }

    /// <summary>Stops sampling if it still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(IReadOnlyList<int> roots, TimeSpan interval, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(interval);
        while (true)
        {
            var usage = ProcessTree.Read(roots);
            lock (_samples) _samples.Add(new TreeSample(clock.ElapsedMilliseconds, usage));
            if (stop.IsCancellationRequested) return;
            try
            {
                await timer.WaitForNextTickAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Fall through to one last sample, so the curve ends where the case ended.
            }
        }
    }
}
