using System.Diagnostics;
using Netloop.Load.Results;

namespace Netloop.Load.Monitoring;

/// <summary>
/// Watches a server process (and its descendants) during a load run: samples RSS, CPU, threads and open fds from /proc
/// on a background thread, every 100 ms by default, and summarises them with a steady-state verdict when stopped.
/// </summary>
/// <remarks>
/// The first sample is taken in <see cref="Start"/> and the last in <see cref="Stop"/>, so the summary spans exactly the
/// time between them. If the process exits meanwhile, sampling ends quietly and the summary covers what was collected.
/// </remarks>
public sealed class ProcessMonitor : IDisposable
{
    /// <summary>The sampling interval when none is given.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    private readonly ProcessTreeSampler _sampler;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<MonitorSample> _samples = [];
    private readonly List<long> _cpuTicks = []; // the tree's cumulative CPU at each sample
    private readonly ManualResetEventSlim _stopRequested = new();
    private readonly Lock _gate = new();
    private readonly Thread _thread;
    private bool _exited;
    private MonitorSample? _latest;
    private MonitorSummary? _summary;

    private ProcessMonitor(ProcessTreeSampler sampler, TimeSpan interval, ProcessTreeReading first)
    {
        _sampler = sampler;
        _interval = interval;
        Add(new MonitorSample { TimeMs = 0, RssBytes = first.RssBytes, CpuPercent = 0, Threads = first.Threads, OpenFds = first.OpenFds }, first.CpuTicks);
        _thread = new Thread(Run) { IsBackground = true, Name = $"monitor {sampler.Pid}" };
    }

    /// <summary>The process watched.</summary>
    public int Pid => _sampler.Pid;

    /// <summary>The most recent sample, for a live display; null only before the first one (never, once <see cref="Start"/> returned).</summary>
    public MonitorSample? Latest => Volatile.Read(ref _latest);

    /// <summary>Samples taken so far.</summary>
    public int SampleCount
    {
        get
        {
            lock (_gate) return _samples.Count;
        }
    }

    /// <summary>True once the process was found gone; no samples are taken after that.</summary>
    public bool ProcessExited => Volatile.Read(ref _exited);

    /// <summary>
    /// Takes the first sample of <paramref name="pid"/>'s process tree now and keeps sampling every
    /// <paramref name="interval"/> (100 ms by default) until <see cref="Stop"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No such process (the message is one line, fit for the command line).</exception>
    public static ProcessMonitor Start(int pid, TimeSpan? interval = null)
    {
        var every = interval ?? DefaultInterval;
        if (every <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), every, "the sampling interval must be positive");
        var sampler = new ProcessTreeSampler(pid);
        if (pid <= 0 || !sampler.TryRead(out var first)) throw new ArgumentException($"process {pid} does not exist");
        var monitor = new ProcessMonitor(sampler, every, first);
        monitor._thread.Start();
        return monitor;
    }

    /// <summary>
    /// Stops sampling, takes a last sample (unless the process has exited) and returns the summary. Calling it again
    /// returns the same summary.
    /// </summary>
    public MonitorSummary Stop()
    {
        lock (_gate)
        {
            if (_summary is not null) return _summary;
        }
        _stopRequested.Set();
        _thread.Join();
        lock (_gate)
        {
            if (_summary is not null) return _summary;
            if (!_exited) SampleOnce(final: true);
            _summary = Summarize();
            return _summary;
        }
    }

    /// <summary>Stops sampling (see <see cref="Stop"/>) if it is still running.</summary>
    public void Dispose()
    {
        Stop();
        _stopRequested.Dispose();
    }

    private void Run()
    {
        // Due times are multiples of the interval from the start, so a slow read delays one sample, not all later ones.
        long due = 1;
        while (true)
        {
            var wait = due * _interval - _clock.Elapsed;
            if (wait > TimeSpan.Zero && _stopRequested.Wait(wait)) return;
            if (_stopRequested.IsSet) return;
            lock (_gate)
            {
                if (!SampleOnce(final: false)) return;
            }
            long now = _clock.Elapsed.Ticks / _interval.Ticks;
            due = Math.Max(due + 1, now + 1);
        }
    }

    /// <summary>Takes one sample (under the gate); false once the process has gone.</summary>
    private bool SampleOnce(bool final)
    {
        if (!_sampler.TryRead(out var reading))
        {
            Volatile.Write(ref _exited, true);
            return false;
        }
        long timeMs = _clock.ElapsedMilliseconds;
        // CPU times tick at 100 Hz, so over a few milliseconds one tick more or less is a wild percentage: the sample at
        // Stop replaces a periodic one taken less than half an interval before it rather than following it.
        if (final && _samples.Count > 1 && timeMs - _samples[^1].TimeMs < _interval.TotalMilliseconds / 2)
        {
            _samples.RemoveAt(_samples.Count - 1);
            _cpuTicks.RemoveAt(_cpuTicks.Count - 1);
        }
        // Tree CPU can step back when a child exits unreaped by anyone in the tree; that is not negative use.
        long deltaTicks = Math.Max(0, reading.CpuTicks - _cpuTicks[^1]);
        double deltaSeconds = Math.Max(1, timeMs - _samples[^1].TimeMs) / 1000.0;
        double cpuPercent = deltaTicks / (double)ProcessTreeSampler.TicksPerSecond / deltaSeconds * 100;
        Add(new MonitorSample { TimeMs = timeMs, RssBytes = reading.RssBytes, CpuPercent = cpuPercent, Threads = reading.Threads, OpenFds = reading.OpenFds }, reading.CpuTicks);
        return true;
    }

    private void Add(MonitorSample sample, long cpuTicks)
    {
        _samples.Add(sample);
        _cpuTicks.Add(cpuTicks);
        Volatile.Write(ref _latest, sample);
    }

    private MonitorSummary Summarize()
    {
        var verdict = SteadyStateVerdict.Evaluate(_samples);
        long peakRss = 0;
        int peakThreads = 0;
        int peakFds = -1;
        foreach (var sample in _samples)
        {
            peakRss = Math.Max(peakRss, sample.RssBytes);
            peakThreads = Math.Max(peakThreads, sample.Threads);
            peakFds = Math.Max(peakFds, sample.OpenFds);
        }
        return new MonitorSummary
        {
            Pid = Pid,
            RssStartBytes = _samples[0].RssBytes,
            RssPeakBytes = peakRss,
            RssEndBytes = _samples[^1].RssBytes,
            RssSlopeKbPerMinute = verdict.SlopeKbPerMinute,
            Verdict = verdict.Verdict,
            CpuSeconds = Math.Max(0, _cpuTicks[^1] - _cpuTicks[0]) / (double)ProcessTreeSampler.TicksPerSecond,
            PeakThreads = peakThreads,
            PeakOpenFds = peakFds,
            Samples = _samples.ToArray(),
        };
    }
}
