using System.Buffers.Text;
using System.Globalization;
using System.IO.Enumeration;

namespace Netloop.Load.Monitoring;

/// <summary>
/// Reads the resource use of a process and all its descendants from /proc (nginx is a master and its workers; a server
/// started through a shell script is the shell and the server). One instance per watched process; not thread-safe.
/// </summary>
/// <remarks>
/// One read costs, per process in the tree, two small reads (<c>/proc/PID/stat</c> for CPU times and threads,
/// <c>/proc/PID/statm</c> for RSS), a stat of <c>/proc/PID/fd</c> for the fd count, and a read of each thread's
/// <c>children</c> file to find the descendants: about 50 µs for a process with 10,000 open connections, so it can run
/// every 100 ms beside the server it measures.
/// </remarks>
public sealed class ProcessTreeSampler
{
    /// <summary>
    /// Clock ticks per second of the CPU times in /proc/PID/stat. The kernel reports them in USER_HZ, which is 100 on every
    /// architecture .NET runs on, whatever the kernel's own HZ is.
    /// </summary>
    public const int TicksPerSecond = 100;

    // Whether this kernel has /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN, on in mainstream distributions); without
    // it the tree is found by reading the parent pid of every process on the machine, which costs more but works.
    private static readonly bool s_hasChildrenFiles =
        File.Exists($"/proc/{Environment.ProcessId}/task/{Environment.ProcessId}/children");

    private static readonly EnumerationOptions s_listing = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    private readonly bool _useChildrenFiles;
    private readonly List<int> _tree = [];
    private readonly Dictionary<int, List<int>> _childrenByParent = [];
    private byte[] _buffer = new byte[4096];

    /// <summary>Creates a sampler for <paramref name="pid"/> and its descendants; nothing is read until <see cref="TryRead"/>.</summary>
    public ProcessTreeSampler(int pid)
        : this(pid, scanAllProcesses: !s_hasChildrenFiles)
    {
    }

    /// <summary>Creates a sampler that finds descendants by scanning every process's parent pid (the fallback; tests force it).</summary>
    internal ProcessTreeSampler(int pid, bool scanAllProcesses)
    {
        Pid = pid;
        _useChildrenFiles = !scanAllProcesses;
    }

    /// <summary>The root of the watched tree.</summary>
    public int Pid { get; }

    /// <summary>
    /// Reads the tree now. Returns false when the root process no longer exists (or is a zombie waiting to be reaped);
    /// descendants that exit while they are being read are left out of the sums.
    /// </summary>
    public bool TryRead(out ProcessTreeReading reading)
    {
        reading = default;
        if (!TryReadStat(Pid, out var root) || root.IsExited) return false;

        CollectTree();
        long rssPages = 0;
        long ticks = 0;
        int threads = 0;
        int fds = 0;
        int processes = 0;
        foreach (int pid in _tree)
        {
            StatFields stat;
            if (pid == Pid) stat = root;
            else if (!TryReadStat(pid, out stat)) continue;
            processes++;
            rssPages += stat.IsExited ? 0 : ReadResidentPages(pid);
            ticks += stat.CpuTicks;
            threads += stat.Threads;
            int open = stat.IsExited ? 0 : CountOpenFds(pid);
            // One unreadable directory makes the total unknowable; a partial count would understate it.
            fds = fds < 0 || open < 0 ? -1 : fds + open;
        }
        reading = new ProcessTreeReading(rssPages * Environment.SystemPageSize, ticks, threads, fds, processes);
        return true;
    }

    /// <summary>Fills <see cref="_tree"/> with the root and every descendant, parents before children.</summary>
    private void CollectTree()
    {
        _tree.Clear();
        _tree.Add(Pid);
        if (!_useChildrenFiles) IndexAllParents();
        // _tree doubles as the breadth-first queue: children are appended as each entry is visited.
        for (int i = 0; i < _tree.Count; i++)
        {
            int parent = _tree[i];
            if (_useChildrenFiles)
            {
                AddChildrenFromTasks(parent);
            }
            else if (_childrenByParent.TryGetValue(parent, out var children))
            {
                foreach (int child in children)
                {
                    if (!_tree.Contains(child)) _tree.Add(child);
                }
            }
        }
    }

    // A child is listed under the thread that created it, so every thread of the parent has to be asked.
    private void AddChildrenFromTasks(int parent)
    {
        try
        {
            var tasks = new FileSystemEnumerable<int>($"/proc/{parent}/task", static (ref entry) => ParsePid(entry.FileName), s_listing);
            foreach (int tid in tasks)
            {
                if (tid <= 0) continue;
                ReadOnlySpan<byte> text;
                try
                {
                    text = ReadFile($"/proc/{parent}/task/{tid}/children");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue; // the thread exited; its children moved to another thread of the process
                }
                while (!text.IsEmpty)
                {
                    int space = text.IndexOf((byte)' ');
                    var token = space < 0 ? text : text[..space];
                    text = space < 0 ? default : text[(space + 1)..];
                    if (Utf8Parser.TryParse(token, out int child, out _) && !_tree.Contains(child)) _tree.Add(child);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process exited while we looked: it has no children left to count.
        }
    }

    private void IndexAllParents()
    {
        foreach (var list in _childrenByParent.Values) list.Clear();
        var pids = new FileSystemEnumerable<int>("/proc", static (ref entry) => ParsePid(entry.FileName), s_listing)
        {
            ShouldIncludePredicate = static (ref entry) => entry.IsDirectory,
        };
        foreach (int pid in pids)
        {
            if (pid <= 0 || !TryReadStat(pid, out var stat)) continue;
            if (!_childrenByParent.TryGetValue(stat.ParentPid, out var children))
            {
                children = [];
                _childrenByParent[stat.ParentPid] = children;
            }
            children.Add(pid);
        }
    }

    /// <summary>
    /// Resident pages from /proc/PID/statm (its second field). Not the RSS in /proc/PID/stat: recent kernels keep RSS in
    /// per-CPU counters, and stat reports the fast approximate sum, which can be off by dozens of pages per CPU, while
    /// statm sums them exactly.
    /// </summary>
    private long ReadResidentPages(int pid)
    {
        ReadOnlySpan<byte> text;
        try
        {
            text = ReadFile($"/proc/{pid}/statm");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0; // exited meanwhile
        }
        int space = text.IndexOf((byte)' ');
        return space >= 0 && Utf8Parser.TryParse(text[(space + 1)..], out long pages, out _) ? pages : 0;
    }

    private bool TryReadStat(int pid, out StatFields stat)
    {
        stat = default;
        ReadOnlySpan<byte> text;
        try
        {
            text = ReadFile($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        return StatFields.TryParse(text, out stat);
    }

    /// <summary>Reads a whole (small) /proc file into the reused buffer, growing it when the file does not fit.</summary>
    private ReadOnlySpan<byte> ReadFile(string path)
    {
        using var handle = File.OpenHandle(path);
        int length = 0;
        while (true)
        {
            if (length == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            int n = RandomAccess.Read(handle, _buffer.AsSpan(length), length);
            if (n == 0) return _buffer.AsSpan(0, length);
            length += n;
        }
    }

    /// <summary>Open fds of one process; -1 when they cannot be counted (another user's process, on an older kernel).</summary>
    internal static int CountOpenFds(int pid)
    {
        // Since Linux 6.2 the size of /proc/PID/fd is the number of open fds: one stat, where a listing costs a stat
        // per descriptor as well (.NET stats each symlink it enumerates): 58 ms for 10,000 fds, measured, too slow for
        // a server under test every 100 ms. FileSystemEntry.Length is that st_size, for a directory as for a file.
        try
        {
            // Inside the try: the enumerable opens the directory as it is made, and the process may have exited since
            // its stat was read (an escaped DirectoryNotFoundException ended the monitor's thread, and the process).
            var sizes = new FileSystemEnumerable<long>($"/proc/{pid}", static (ref entry) => entry.Length, s_listing)
            {
                ShouldIncludePredicate = static (ref entry) => entry.IsDirectory && entry.FileName is "fd",
            };
            foreach (long size in sizes)
            {
                if (size > 0) return (int)size;
            }

            // An older kernel reports 0: count the entries, without making a string for each.
            int count = 0;
            foreach (bool _ in new FileSystemEnumerable<bool>($"/proc/{pid}/fd", static (ref _) => true, s_listing)) count++;
            return count;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
        catch (IOException)
        {
            return 0; // exited meanwhile
        }
    }

    private static int ParsePid(ReadOnlySpan<char> name) =>
        int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : 0;

    /// <summary>The fields of /proc/PID/stat the monitor uses (proc_pid_stat(5)).</summary>
    private readonly record struct StatFields(char State, int ParentPid, long CpuTicks, int Threads)
    {
        // Zombie (exited, not yet reaped) or dead: it holds no memory or threads and will use no more CPU.
        public bool IsExited => State is 'Z' or 'X';

        /// <summary>Parses a stat line. The second field, the command name in parentheses, may itself contain spaces and parentheses, so fields are counted from the last ')'.</summary>
        public static bool TryParse(ReadOnlySpan<byte> line, out StatFields stat)
        {
            stat = default;
            int paren = line.LastIndexOf((byte)')');
            if (paren < 0 || paren + 2 >= line.Length) return false;
            var rest = line[(paren + 2)..];

            // Field numbers as in proc_pid_stat(5); `rest` starts at field 3 (state).
            char state = (char)rest[0];
            long ppid = 0, utime = 0, stime = 0, cutime = 0, cstime = 0, threads = 0;
            int field = 3;
            while (!rest.IsEmpty && field <= 20)
            {
                int space = rest.IndexOf((byte)' ');
                var token = space < 0 ? rest : rest[..space];
                rest = space < 0 ? default : rest[(space + 1)..];
                if (field is 4 or 14 or 15 or 16 or 17 or 20)
                {
                    if (!Utf8Parser.TryParse(token, out long value, out _)) return false;
                    switch (field)
                    {
                        case 4: ppid = value; break;
                        case 14: utime = value; break;
                        case 15: stime = value; break;
                        case 16: cutime = value; break;
                        case 17: cstime = value; break;
                        default: threads = value; break;
                    }
                }
                field++;
            }
            if (field <= 20) return false;
            stat = new StatFields(state, (int)ppid, utime + stime + cutime + cstime, (int)threads);
            return true;
        }
    }
}
