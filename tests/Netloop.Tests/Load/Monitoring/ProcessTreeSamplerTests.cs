using System.Diagnostics;
using Netloop.Load.Monitoring;

namespace Netloop.Tests.Load.Monitoring;

/// <summary>Reading a process tree from /proc: the test process itself, a shell with children, an awkward command name.</summary>
public sealed class ProcessTreeSamplerTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Fact]
    public void The_fds_of_a_process_that_is_gone_count_as_none_instead_of_throwing()
    {
        // A process can exit between its stat and its fd count; the sampler runs on the monitor's own thread, where an
        // exception would end the process (seen in CI).
        using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        child.WaitForExit();
        int pid = child.Id;

        Assert.Equal(0, ProcessTreeSampler.CountOpenFds(pid));
        Assert.Equal(0, ProcessTreeSampler.CountOpenFds(int.MaxValue));
        Assert.True(ProcessTreeSampler.CountOpenFds(Environment.ProcessId) > 0);
    }

    [Fact]
    public void Reads_this_process()
    {
        var sampler = new ProcessTreeSampler(Environment.ProcessId);

        Assert.True(sampler.TryRead(out var reading));
        Assert.True(reading.RssBytes > 0, reading.ToString());
        Assert.True(reading.Threads >= 1, reading.ToString());
        Assert.True(reading.OpenFds > 0, reading.ToString());
        Assert.True(reading.CpuTicks >= 0, reading.ToString());
        Assert.True(reading.Processes >= 1, reading.ToString());
        Assert.Equal(Environment.ProcessId, sampler.Pid);
    }

    [Fact]
    public void Matches_what_the_runtime_reports_for_this_process()
    {
        var sampler = new ProcessTreeSampler(Environment.ProcessId);
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Assert.True(sampler.TryRead(out var reading));

        // Same source (the kernel's RSS counter), read moments apart: equal to within what a busy test run allocates
        // meanwhile. The reading is the whole tree: a server another test runs as a child adds its own RSS on top.
        Assert.True(reading.RssBytes >= self.WorkingSet64 / 2, $"{reading.RssBytes} vs {self.WorkingSet64}");
        if (reading.Processes == 1) Assert.True(reading.RssBytes <= self.WorkingSet64 * 2, $"{reading.RssBytes} vs {self.WorkingSet64}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sums_a_shell_and_its_children(bool scanAllProcesses)
    {
        using var shell = ChildProcess.Start("bash", "-c", "sleep 30 & sleep 30 & wait");
        var sampler = new ProcessTreeSampler(shell.Id, scanAllProcesses);

        var reading = WaitFor(sampler, r => r.Processes >= 3);

        Assert.True(reading.RssBytes > StatmRssBytes(shell.Id), $"tree {reading.RssBytes} B vs the shell alone {StatmRssBytes(shell.Id)} B");
        Assert.True(reading.Threads >= 3, reading.ToString());
        Assert.True(reading.OpenFds >= 3, reading.ToString());
    }

    [Fact]
    public void Parses_a_command_name_with_spaces_and_parentheses()
    {
        string dir = Directory.CreateTempSubdirectory("netloop-monitor-").FullName;
        try
        {
            // comm (the second field of /proc/PID/stat) is the executable's name: ") (x y" breaks naive parsing.
            string odd = Path.Combine(dir, ") (x y) 1 2");
            File.Copy("/bin/sleep", odd);
            using var child = ChildProcess.Start(odd, "30");
            var sampler = new ProcessTreeSampler(child.Id);

            // The program may still be loading, and its RSS only grows meanwhile: bracket the reading.
            long before = StatmRssBytes(child.Id);
            Assert.True(sampler.TryRead(out var reading));
            long after = StatmRssBytes(child.Id);

            Assert.Equal(1, reading.Processes);
            Assert.Equal(1, reading.Threads);
            Assert.InRange(reading.RssBytes, before, after);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Counts_open_fds_as_a_listing_of_proc_fd_does()
    {
        using var child = ChildProcess.Start("python3", "-c", "import os, time\nfds = [os.open('/dev/null', os.O_RDONLY) for _ in range(300)]\ntime.sleep(30)\n");
        var sampler = new ProcessTreeSampler(child.Id);
        WaitFor(sampler, r => r.OpenFds >= 303); // stdin, stdout, stderr and the 300

        Assert.True(sampler.TryRead(out var reading));
        Assert.Equal(Directory.GetFileSystemEntries($"/proc/{child.Id}/fd").Length, reading.OpenFds);
    }

    [Fact]
    public void A_process_that_has_exited_cannot_be_read()
    {
        using var child = ChildProcess.Start("true");
        Assert.True(child.WaitForExit(s_wait));
        Assert.False(new ProcessTreeSampler(child.Id).TryRead(out _));
    }

    private static ProcessTreeReading WaitFor(ProcessTreeSampler sampler, Func<ProcessTreeReading, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.True(sampler.TryRead(out var reading), $"process {sampler.Pid} is gone");
            if (condition(reading)) return reading;
            Assert.True(clock.Elapsed < s_wait, $"process {sampler.Pid}: still {reading} after {s_wait.TotalSeconds} s");
            Thread.Sleep(20);
        }
    }

    private static long StatmRssBytes(int pid) =>
        long.Parse(File.ReadAllText($"/proc/{pid}/statm").Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
}
