using System.Diagnostics;
using Netloop.Load.Monitoring;

namespace Netloop.Tests.Load.Monitoring;

/// <summary>
/// The monitor against real processes: one whose memory grows steadily, one that sits still, one that exits. Each waits
/// for a number of samples (bounded), not for a time, so a slow machine gives the same verdicts.
/// </summary>
public sealed class ProcessMonitorTests
{
    // 50 samples at 100 ms: about 5 s, 25 of them in the second half, enough for a verdict.
    private const int Samples = 50;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_process_growing_1_MB_every_100_ms_is_growing()
    {
        // Writes every byte so the pages are resident; stops after 30 s (300 MB) in case the test is starved.
        using var child = ChildProcess.Start("python3", "-c",
            "import time\nblocks = []\nfor _ in range(300):\n    blocks.append(b'\\x01' * 1048576)\n    time.sleep(0.1)\n");
        using var monitor = ProcessMonitor.Start(child.Id);

        WaitForSamples(monitor, Samples);
        var summary = monitor.Stop();

        Assert.Equal(SteadyStateVerdict.Growing, summary.Verdict);
        Assert.True(summary.RssSlopeKbPerMinute > 10 * 1024, $"slope {summary.RssSlopeKbPerMinute:F0} KB/min");
        Assert.True(summary.RssEndBytes > summary.RssStartBytes + 10 * 1024 * 1024, $"{summary.RssStartBytes} → {summary.RssEndBytes}");
        Assert.True(summary.RssPeakBytes >= summary.RssEndBytes);
        Assert.Equal(child.Id, summary.Pid);
    }

    [Fact]
    public void A_sleeping_process_is_steady()
    {
        using var child = ChildProcess.Start("sleep", "30");
        using var monitor = ProcessMonitor.Start(child.Id);

        WaitForSamples(monitor, Samples);
        var summary = monitor.Stop();

        Assert.Equal(SteadyStateVerdict.Steady, summary.Verdict);
        Assert.True(summary.RssEndBytes > 0); // not the start: the first sample can come before the new program touched a page
        Assert.True(summary.PeakThreads == 1, $"threads {summary.PeakThreads}");
        Assert.True(summary.PeakOpenFds >= 3, $"fds {summary.PeakOpenFds}");
        Assert.InRange(summary.CpuSeconds, 0, 1);
        Assert.True(summary.Samples.Count >= Samples);
        Assert.Equal(0, summary.Samples[0].TimeMs);
        Assert.True(summary.Samples.Zip(summary.Samples.Skip(1)).All(p => p.First.TimeMs <= p.Second.TimeMs), "samples out of order");
    }

    [Fact]
    public void Counts_the_cpu_a_busy_process_uses()
    {
        using var child = ChildProcess.Start("python3", "-c", "import time\nend = time.time() + 30\nwhile time.time() < end: pass\n");
        using var monitor = ProcessMonitor.Start(child.Id);

        WaitForSamples(monitor, 20);
        var summary = monitor.Stop();

        Assert.True(summary.CpuSeconds > 0, $"cpu {summary.CpuSeconds} s");
        Assert.Contains(summary.Samples, s => s.CpuPercent > 0);
        Assert.All(summary.Samples, s => Assert.InRange(s.CpuPercent, 0, 100 * Environment.ProcessorCount * 2));
    }

    [Fact]
    public void Keeps_what_it_collected_when_the_process_exits()
    {
        using var child = ChildProcess.Start("sleep", "1");
        using var monitor = ProcessMonitor.Start(child.Id);
        Assert.NotNull(monitor.Latest);

        Assert.True(child.WaitForExit(s_wait));
        var clock = Stopwatch.StartNew();
        while (!monitor.ProcessExited && clock.Elapsed < s_wait) Thread.Sleep(20);
        Assert.True(monitor.ProcessExited);

        var summary = monitor.Stop();
        Assert.NotEmpty(summary.Samples);
        Assert.Equal(SteadyStateVerdict.TooShort, summary.Verdict);
        Assert.Same(summary, monitor.Stop());
    }

    [Fact]
    public void Latest_follows_the_samples()
    {
        using var monitor = ProcessMonitor.Start(Environment.ProcessId);
        var first = monitor.Latest;
        Assert.NotNull(first);
        Assert.Equal(0, first.TimeMs);

        WaitForSamples(monitor, 3);
        Assert.True(monitor.Latest!.TimeMs > 0);
        Assert.True(monitor.Latest.RssBytes > 0);
        Assert.True(monitor.Latest.Threads >= 1);
    }

    [Fact]
    public void A_process_that_does_not_exist_is_an_argument_error_in_one_line()
    {
        int pid = UnusedPid();
        var error = Assert.Throws<ArgumentException>(() => ProcessMonitor.Start(pid));
        Assert.Equal($"process {pid} does not exist", error.Message);
        Assert.Throws<ArgumentException>(() => ProcessMonitor.Start(0));
        Assert.Throws<ArgumentException>(() => ProcessMonitor.Start(-1));
    }

    private static void WaitForSamples(ProcessMonitor monitor, int count)
    {
        var clock = Stopwatch.StartNew();
        while (monitor.SampleCount < count)
        {
            Assert.False(monitor.ProcessExited, $"process {monitor.Pid} exited after {monitor.SampleCount} samples");
            Assert.True(clock.Elapsed < s_wait, $"only {monitor.SampleCount} samples in {s_wait.TotalSeconds} s");
            Thread.Sleep(50);
        }
    }

    private static int UnusedPid()
    {
        int max = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        for (int pid = max - 1; pid > 1; pid--)
        {
            if (!Directory.Exists($"/proc/{pid}")) return pid;
        }
        throw new InvalidOperationException("every pid is in use");
    }
}
