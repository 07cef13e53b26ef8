using System.Runtime.InteropServices;
using static Netloop.Native.Constants;

namespace Netloop.Native;

/// <summary>
/// The syscalls as the rest of Netloop calls them: a non-negative result on success, or the negated errno on failure,
/// so no exception is thrown on the hot path. EINTR is retried here and nowhere else.
/// </summary>
internal static unsafe class Sys
{
    /// <summary>The errno of the last failed call, from the value the generated stub saved.</summary>
    public static Errno LastErrno => (Errno)Marshal.GetLastPInvokeError();

    private static int Fail() => -(int)LastErrno;

    public static int Socket(int family, bool nonBlocking = true)
    {
        int type = SOCK_STREAM | SOCK_CLOEXEC | (nonBlocking ? SOCK_NONBLOCK : 0);
        int fd = Libc.socket(family, type, 0);
        return fd >= 0 ? fd : Fail();
    }

    public static int SetOption(int fd, int level, int name, int value)
    {
        return Libc.setsockopt(fd, level, name, &value, sizeof(int)) == 0 ? 0 : Fail();
    }

    public static int GetOption(int fd, int level, int name, out int value)
    {
        int v = 0;
        uint length = sizeof(int);
        int rc = Libc.getsockopt(fd, level, name, &v, &length);
        value = v;
        return rc == 0 ? 0 : Fail();
    }

    /// <summary>Sets SO_LINGER; <c>on</c> with a zero timeout makes close() send RST instead of FIN.</summary>
    public static int SetLinger(int fd, bool on, int seconds)
    {
        var linger = stackalloc int[2];
        linger[0] = on ? 1 : 0;
        linger[1] = seconds;
        return Libc.setsockopt(fd, SOL_SOCKET, SO_LINGER, linger, 8) == 0 ? 0 : Fail();
    }

    public static int Bind(int fd, SocketAddressBuffer address)
    {
        return Libc.bind(fd, (byte*)&address.Bytes, address.Length) == 0 ? 0 : Fail();
    }

    /// <summary>connect(2); on a non-blocking socket -EINPROGRESS means the handshake goes on (SO_ERROR tells how it ended).</summary>
    public static int Connect(int fd, SocketAddressBuffer address)
    {
        if (Libc.connect(fd, (byte*)&address.Bytes, address.Length) == 0) return 0;
        var errno = LastErrno;
        // An interrupted connect goes on in the background, exactly like EINPROGRESS.
        return errno == Errno.EINTR ? -(int)Errno.EINPROGRESS : -(int)errno;
    }

    public static int Listen(int fd, int backlog) => Libc.listen(fd, backlog) == 0 ? 0 : Fail();

    public static int GetSockName(int fd, out SocketAddressBuffer address)
    {
        var local = default(SocketAddressBuffer);
        uint length = SocketAddressBuffer.Capacity;
        int rc = Libc.getsockname(fd, (byte*)&local.Bytes, &length);
        local.Length = length;
        address = local;
        return rc == 0 ? 0 : Fail();
    }

    public static int GetPeerName(int fd, out SocketAddressBuffer address)
    {
        var local = default(SocketAddressBuffer);
        uint length = SocketAddressBuffer.Capacity;
        int rc = Libc.getpeername(fd, (byte*)&local.Bytes, &length);
        local.Length = length;
        address = local;
        return rc == 0 ? 0 : Fail();
    }

    /// <summary>accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC; the peer address is not asked for (getpeername does it on demand).</summary>
    public static int Accept(int listenFd)
    {
        while (true)
        {
            int fd = Libc.accept4(listenFd, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd >= 0) return fd;
            var errno = LastErrno;
            if (errno != Errno.EINTR) return -(int)errno;
        }
    }

    public static nint Receive(int fd, byte* buffer, int length)
    {
        while (true)
        {
            nint n = Libc.recv(fd, buffer, (nuint)length, 0);
            if (n >= 0) return n;
            var errno = LastErrno;
            if (errno != Errno.EINTR) return -(int)errno;
        }
    }

    /// <summary>recv with MSG_PEEK: looks at the next bytes and leaves them queued.</summary>
    public static nint Peek(int fd, byte* buffer, int length)
    {
        while (true)
        {
            nint n = Libc.recv(fd, buffer, (nuint)length, MSG_PEEK | MSG_DONTWAIT);
            if (n >= 0) return n;
            var errno = LastErrno;
            if (errno != Errno.EINTR) return -(int)errno;
        }
    }

    public static nint Send(int fd, byte* buffer, int length)
    {
        while (true)
        {
            nint n = Libc.send(fd, buffer, (nuint)length, MSG_NOSIGNAL);
            if (n >= 0) return n;
            var errno = LastErrno;
            if (errno != Errno.EINTR) return -(int)errno;
        }
    }

    /// <summary>writev that never raises SIGPIPE: sendmsg carries MSG_NOSIGNAL, which writev cannot.</summary>
    public static nint SendVectors(int fd, IoVector* vectors, int count)
    {
        var message = new MessageHeader { Vectors = vectors, VectorCount = (nuint)count };
        while (true)
        {
            nint n = Libc.sendmsg(fd, &message, MSG_NOSIGNAL);
            if (n >= 0) return n;
            var errno = LastErrno;
            if (errno != Errno.EINTR) return -(int)errno;
        }
    }

    public static nint SendFile(int socketFd, int fileFd, ref long offset, int count)
    {
        long o = offset;
        while (true)
        {
            nint n = Libc.sendfile(socketFd, fileFd, &o, (nuint)count);
            if (n >= 0)
            {
                offset = o;
                return n;
            }
            var errno = LastErrno;
            if (errno != Errno.EINTR) return -(int)errno;
        }
    }

    public static int Shutdown(int fd, int how) => Libc.shutdown(fd, how) == 0 ? 0 : Fail();

    /// <summary>close(2). EINTR is not retried: on Linux the descriptor is released even when close reports EINTR.</summary>
    public static int Close(int fd) => Libc.close(fd) == 0 ? 0 : Fail();

    public static int EventFd()
    {
        int fd = Libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        return fd >= 0 ? fd : Fail();
    }

    /// <summary>Adds one to an eventfd counter, waking whoever polls it. EAGAIN (counter saturated) still means "awake".</summary>
    public static void SignalEventFd(int fd)
    {
        ulong one = 1;
        while (Libc.write(fd, &one, sizeof(ulong)) < 0 && LastErrno == Errno.EINTR)
        {
        }
    }

    /// <summary>Resets an eventfd counter to zero.</summary>
    public static void DrainEventFd(int fd)
    {
        ulong value;
        while (Libc.read(fd, &value, sizeof(ulong)) < 0 && LastErrno == Errno.EINTR)
        {
        }
    }

    public static int EpollCreate()
    {
        int fd = Libc.epoll_create1(EPOLL_CLOEXEC);
        return fd >= 0 ? fd : Fail();
    }

    public static int EpollControl(int epfd, int op, int fd, uint events, ulong data)
    {
        // Both epoll_event layouts (packed 12 bytes on x86-64, 16 bytes elsewhere) start with the 32-bit mask;
        // the 64-bit data follows at offset 4 or 8.
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + EpollEventLayout.DataOffset) = data;
        return Libc.epoll_ctl(epfd, op, fd, ev) == 0 ? 0 : Fail();
    }

    public static int EpollWait(int epfd, byte* events, int maxEvents, int timeoutMs)
    {
        int n = Libc.epoll_wait(epfd, events, maxEvents, timeoutMs);
        if (n >= 0) return n;
        var errno = LastErrno;
        return errno == Errno.EINTR ? 0 : -(int)errno;
    }

    public static int Poll(PollFd* fds, int count, int timeoutMs)
    {
        int n = Libc.poll(fds, (nuint)count, timeoutMs);
        if (n >= 0) return n;
        var errno = LastErrno;
        return errno == Errno.EINTR ? 0 : -(int)errno;
    }

    /// <summary>
    /// lstat through statx(2) (one fixed struct layout on every Linux architecture): the file type bits of st_mode,
    /// the size and the modification time. Returns 0 or a negated errno.
    /// </summary>
    public static int StatNoFollow(string path, out int mode, out long size, out long mtimeSeconds, out uint mtimeNanoseconds)
    {
        const int AT_FDCWD = -100;
        const int AT_SYMLINK_NOFOLLOW = 0x100;
        const uint STATX_BASIC_STATS = 0x7ff;
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(path.Length) + 1;
        Span<byte> name = max <= 1024 ? stackalloc byte[max] : new byte[max];
        name[System.Text.Encoding.UTF8.GetBytes(path, name)] = 0;
        // struct statx is 256 bytes; offsets from include/uapi/linux/stat.h.
        byte* buffer = stackalloc byte[256];
        int rc;
        fixed (byte* p = name)
        {
            do rc = Libc.statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer);
            while (rc < 0 && LastErrno == Errno.EINTR);
        }
        if (rc < 0)
        {
            mode = 0;
            size = mtimeSeconds = 0;
            mtimeNanoseconds = 0;
            return Fail();
        }
        mode = *(ushort*)(buffer + 0x1C);
        size = *(long*)(buffer + 0x28);
        mtimeSeconds = *(long*)(buffer + 0x70);
        mtimeNanoseconds = *(uint*)(buffer + 0x78);
        return 0;
    }

    /// <summary>Reads RLIMIT_NOFILE (soft, hard).</summary>
    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>.</summary>
    public static int Kill(int pid, int signal) => Libc.kill(pid, signal) == 0 ? 0 : Fail();

    /// <summary>True when the effective user is root.</summary>
    public static bool IsRoot => Libc.geteuid() == 0;

    /// <summary>Pins the calling thread (pid 0) or process to one CPU; cpu must be below 1024.</summary>
    public static int SetAffinity(int pid, int cpu)
    {
        var mask = stackalloc ulong[16];
        for (int i = 0; i < 16; i++) mask[i] = 0;
        mask[cpu / 64] = 1UL << (cpu % 64);
        return Libc.sched_setaffinity(pid, 16 * sizeof(ulong), mask) == 0 ? 0 : Fail();
    }

    public static (ulong Soft, ulong Hard) GetOpenFileLimit()
    {
        ResourceLimit limit;
        return Libc.getrlimit(RLIMIT_NOFILE, &limit) == 0 ? (limit.Current, limit.Maximum) : (0, 0);
    }

    /// <summary>Raises the soft RLIMIT_NOFILE towards <paramref name="wanted"/>, capped by the hard limit. Returns the soft limit in force.</summary>
    public static ulong RaiseOpenFileLimit(ulong wanted)
    {
        ResourceLimit limit;
        if (Libc.getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
        ulong target = Math.Min(wanted, limit.Maximum);
        if (target > limit.Current)
        {
            limit.Current = target;
            if (Libc.setrlimit(RLIMIT_NOFILE, &limit) == 0) return target;
            Libc.getrlimit(RLIMIT_NOFILE, &limit);
        }
        return limit.Current;
    }
}

/// <summary>Where the 64-bit data of <c>struct epoll_event</c> sits: the struct is packed on x86-64 only.</summary>
internal static class EpollEventLayout
{
    public static readonly int Size = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    public static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;
}
