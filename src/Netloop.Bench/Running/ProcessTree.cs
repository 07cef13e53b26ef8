using System.Globalization;

namespace Netloop.Bench.Running;

/// <summary>
/// Reads /proc for a server's whole process tree (nginx is a master and a worker; a .NET server is one process), so
/// RSS and CPU are the server's, whatever its shape.
/// </summary>
internal static class ProcessTree
{
    // USER_HZ: the unit of utime and stime in /proc/PID/stat; 100 on every Linux architecture .NET runs on.
    private const double ClockTicksPerSecond = 100;

    private static readonly long s_pageSize = Environment.SystemPageSize;

    /// <summary>The summed usage of <paramref name="roots"/> and all their descendants; processes that vanish mid-read are left out.</summary>
    public static TreeUsage Read(IEnumerable<int> roots)
    {
        long rss = 0;
        double cpu = 0;
        int threads = 0, fds = 0, processes = 0;
        bool fdsKnown = true;
        foreach (int pid in roots.SelectMany(WithDescendants).Distinct())
        {
            if (!TryReadStat(pid, out var stat) || !TryReadResidentPages(pid, out long pages)) continue;
            processes++;
            rss += pages * s_pageSize;
            cpu += (stat.UserTicks + stat.SystemTicks) / ClockTicksPerSecond;
            threads += stat.Threads;
            int open = CountOpenFds(pid);
            if (open < 0) fdsKnown = false;
            else fds += open;
        }
        return new TreeUsage(rss, cpu, threads, fdsKnown ? fds : -1, processes);
    }

    /// <summary><paramref name="pid"/> followed by its descendants, found through /proc/PID/task/TID/children (or a scan of /proc when the kernel lacks that file).</summary>
    public static IReadOnlyList<int> WithDescendants(int pid)
    {
        var found = new List<int> { pid };
        for (int i = 0; i < found.Count; i++)
        {
            foreach (int child in Children(found[i]))
            {
                if (!found.Contains(child)) found.Add(child);
            }
        }
        return found;
    }

    /// <summary>The fields of /proc/PID/stat the bench uses.</summary>
    internal readonly record struct StatFields(int ParentPid, long UserTicks, long SystemTicks, int Threads);

    /// <summary>
    /// Parses a /proc/PID/stat line. The command name (field 2) is in parentheses and may itself hold spaces and
    /// parentheses, so the fields are counted from the last ')'.
    /// </summary>
    internal static bool TryParseStat(string line, out StatFields fields)
    {
        fields = default;
        int close = line.LastIndexOf(')');
        if (close < 0) return false;
        // After ')': field 3 (state) is index 0, so field N is index N - 3.
        string[] rest = line[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length < 18) return false;
        if (!int.TryParse(rest[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int ppid)
            || !long.TryParse(rest[11], NumberStyles.Integer, CultureInfo.InvariantCulture, out long utime)
            || !long.TryParse(rest[12], NumberStyles.Integer, CultureInfo.InvariantCulture, out long stime)
            || !int.TryParse(rest[17], NumberStyles.Integer, CultureInfo.InvariantCulture, out int threads))
        {
            return false;
        }
        fields = new StatFields(ppid, utime, stime, threads);
        return true;
    }

    private static bool TryReadStat(int pid, out StatFields fields)
    {
        fields = default;
        string? line = TryReadText($"/proc/{pid}/stat");
        return line is not null && TryParseStat(line, out fields);
    }

    private static bool TryReadResidentPages(int pid, out long pages)
    {
        pages = 0;
        string? statm = TryReadText($"/proc/{pid}/statm");
        if (statm is null) return false;
        string[] parts = statm.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 1 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out pages);
    }

    private static int CountOpenFds(int pid)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    private static IEnumerable<int> Children(int pid)
    {
        string taskFolder = $"/proc/{pid}/task";
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories(taskFolder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        bool childrenFileSeen = false;
        var children = new List<int>();
        foreach (string task in tasks)
        {
            string? text = TryReadText(Path.Combine(task, "children"));
            if (text is null) continue;
            childrenFileSeen = true;
            foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(word, NumberStyles.Integer, CultureInfo.InvariantCulture, out int child)) children.Add(child);
            }
        }
        if (!childrenFileSeen) children.AddRange(ScanForChildren(pid));
        foreach (int child in children) yield return child;
    }

    // Kernels built without CONFIG_PROC_CHILDREN have no children file: find the processes whose parent is pid.
    private static IEnumerable<int> ScanForChildren(int pid)
    {
        foreach (string folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.Integer, CultureInfo.InvariantCulture, out int candidate)) continue;
            if (TryReadStat(candidate, out var stat) && stat.ParentPid == pid) yield return candidate;
        }
    }

    private static string? TryReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
