using System.Runtime.InteropServices;

namespace Netloop.Native;

/// <summary>
/// The raw libc entry points, bound with source-generated <see cref="LibraryImportAttribute"/>: blittable arguments only,
/// so no marshalling stub runs per call. Callers use <see cref="Sys"/>, which turns errno into return values and retries EINTR.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    [LibraryImport(Lib, SetLastError = true)] internal static partial int socket(int domain, int type, int protocol);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int setsockopt(int fd, int level, int name, void* value, uint length);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int getsockopt(int fd, int level, int name, void* value, uint* length);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int bind(int fd, byte* address, uint length);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int listen(int fd, int backlog);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int getsockname(int fd, byte* address, uint* length);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int getpeername(int fd, byte* address, uint* length);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int accept4(int fd, byte* address, uint* length, int flags);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int connect(int fd, byte* address, uint length);
    [LibraryImport(Lib, SetLastError = true)] internal static partial nint recv(int fd, byte* buffer, nuint length, int flags);
    [LibraryImport(Lib, SetLastError = true)] internal static partial nint send(int fd, byte* buffer, nuint length, int flags);
    [LibraryImport(Lib, SetLastError = true)] internal static partial nint writev(int fd, IoVector* vectors, int count);
    [LibraryImport(Lib, SetLastError = true)] internal static partial nint sendmsg(int fd, MessageHeader* message, int flags);
    [LibraryImport(Lib, SetLastError = true)] internal static partial nint sendfile(int outFd, int inFd, long* offset, nuint count);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int shutdown(int fd, int how);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int close(int fd);
    [LibraryImport(Lib, SetLastError = true)] internal static partial nint read(int fd, void* buffer, nuint length);
    [LibraryImport(Lib, SetLastError = true)] internal static partial nint write(int fd, void* buffer, nuint length);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int epoll_create1(int flags);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int epoll_ctl(int epfd, int op, int fd, void* ev);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int epoll_wait(int epfd, void* events, int maxEvents, int timeout);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int poll(PollFd* fds, nuint count, int timeout);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int eventfd(uint initial, int flags);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int statx(int dirfd, byte* pathname, int flags, uint mask, byte* buffer);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int getrlimit(int resource, ResourceLimit* limit);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int setrlimit(int resource, ResourceLimit* limit);
    [LibraryImport(Lib, SetLastError = true)] internal static partial int kill(int pid, int signal);
    [LibraryImport(Lib)] internal static partial uint geteuid();
    [LibraryImport(Lib, SetLastError = true)] internal static partial int sched_setaffinity(int pid, nuint setSize, ulong* mask);
}

/// <summary><c>struct iovec</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVector
{
    public byte* Base;
    public nuint Length;
}

/// <summary><c>struct msghdr</c> (only the iovec part is used: sendmsg is writev with flags, for MSG_NOSIGNAL).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MessageHeader
{
    public void* Name;
    public uint NameLength;
    public IoVector* Vectors;
    public nuint VectorCount;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
}

/// <summary><c>struct pollfd</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short ReturnedEvents;
}

/// <summary><c>struct rlimit</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ResourceLimit
{
    public ulong Current;
    public ulong Maximum;
}
