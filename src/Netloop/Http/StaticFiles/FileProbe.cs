
namespace Netloop.Http.StaticFiles;

internal enum FileKind
{
    Missing,
    Regular,
    Directory,
    SymbolicLink,

    /// <summary>A FIFO, socket or device: never served (opening a FIFO would block the loop).</summary>
    Other,
}

/// <summary>What one <c>lstat</c> says about a path: its type (links not followed), size and mtime.</summary>
internal readonly record struct FileStatus(FileKind Kind, long Length, DateTime LastWriteUtc);

/// <summary>
/// <c>lstat</c> for the resolver. .NET's FileInfo cannot tell a FIFO, socket or device from an empty regular file, so
/// this asks the kernel through <c>statx(2)</c> (fixed layout on every Linux architecture, glibc 2.28+).
/// </summary>
/// <remarks>
/// Where statx is unavailable (not Linux, old libc, a seccomp filter answering ENOSYS
/// or EPERM) the managed fallback is used, which cannot prove that an empty entry is a regular file and so reports
/// every zero-length non-directory as <see cref="FileKind.Other"/>: empty files are then not served.
/// </remarks>
internal static class FileProbe
{
    private const int S_IFMT = 0xF000;
    private const int S_IFREG = 0x8000;
    private const int S_IFDIR = 0x4000;
    private const int S_IFLNK = 0xA000;
    private const int ENOSYS = 38;

    private static volatile bool s_useManaged = !OperatingSystem.IsLinux();

    public static FileStatus Lstat(string path)
    {
        if (!s_useManaged)
        {
            try
            {
                if (TryStatx(path, out FileStatus status)) return status;
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                s_useManaged = true;
            }
        }
        return LstatManaged(path);
    }

    /// <summary>The fallback, also used by tests: FileInfo's view, with empty non-directories reported as Other.</summary>
    internal static FileStatus LstatManaged(string path)
    {
        var info = new FileInfo(path);
        FileAttributes attributes = info.Attributes;
        if ((int)attributes == -1) return default;
        if ((attributes & FileAttributes.ReparsePoint) != 0) return new FileStatus(FileKind.SymbolicLink, 0, default);
        if ((attributes & FileAttributes.Directory) != 0) return new FileStatus(FileKind.Directory, 0, info.LastWriteTimeUtc);
        long length = info.Length;
        return new FileStatus(length > 0 ? FileKind.Regular : FileKind.Other, length, info.LastWriteTimeUtc);
    }

    private static bool TryStatx(string path, out FileStatus status)
    {
        int rc = Native.Sys.StatNoFollow(path, out int mode, out long size, out long seconds, out uint nanoseconds);
        if (rc < 0)
        {
            status = default;
            if ((Native.Errno)(-rc) is Native.Errno.EPERM || -rc == ENOSYS)
            {
                s_useManaged = true;
                return false;
            }
            return true; // ENOENT, ENOTDIR, EACCES, ELOOP, ENAMETOOLONG: all mean "nothing to serve here".
        }
        FileKind kind = (mode & S_IFMT) switch
        {
            S_IFREG => FileKind.Regular,
            S_IFDIR => FileKind.Directory,
            S_IFLNK => FileKind.SymbolicLink,
            _ => FileKind.Other,
        };
        DateTime mtime = DateTime.UnixEpoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100));
        status = new FileStatus(kind, size, mtime);
        return true;
    }
}
