namespace Netloop.Server;

/// <summary>
/// What the process holds that a server could leak, read from the outside of every engine: open sockets (from
/// <c>/proc/self/fd</c>, so a socket no counter knows of still shows) and the managed heap after a full collection.
/// </summary>
/// <param name="OpenSockets">File descriptors that are sockets; -1 where <c>/proc</c> cannot be read.</param>
/// <param name="OpenFds">Every open file descriptor; -1 where <c>/proc</c> cannot be read.</param>
/// <param name="HeapBytes">Managed heap in use after a full, blocking collection.</param>
internal readonly record struct ProcessResources(int OpenSockets, int OpenFds, long HeapBytes)
{
    /// <summary>Reads the process now; collects garbage first (twice, so objects freed by finalizers go too).</summary>
    public static ProcessResources Read()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        var (sockets, fds) = CountFds();
        return new ProcessResources(sockets, fds, heap);
    }

    private static (int Sockets, int Fds) CountFds()
    {
        try
        {
            int sockets = 0, fds = 0;
            foreach (string entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                fds++;
                string? target;
                try
                {
                    target = new FileInfo(entry).LinkTarget;
                }
                catch (IOException)
                {
                    continue; // closed while we looked (the enumeration's own descriptor among them)
                }
                if (target is not null && target.StartsWith("socket:", StringComparison.Ordinal)) sockets++;
            }
            return (sockets, fds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (-1, -1);
        }
    }
}
