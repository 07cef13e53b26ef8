namespace Netloop.Native;

/// <summary>Linux errno values the server reacts to. Numbers are the x86-64 and arm64 generic ABI values.</summary>
internal enum Errno
{
    /// <summary>No error.</summary>
    None = 0,
    /// <summary>Operation not permitted.</summary>
    EPERM = 1,
    /// <summary>No such file or directory.</summary>
    ENOENT = 2,
    /// <summary>No such process.</summary>
    ESRCH = 3,
    /// <summary>Interrupted system call.</summary>
    EINTR = 4,
    /// <summary>I/O error.</summary>
    EIO = 5,
    /// <summary>Bad file descriptor.</summary>
    EBADF = 9,
    /// <summary>Resource temporarily unavailable (EWOULDBLOCK is the same value).</summary>
    EAGAIN = 11,
    /// <summary>Out of memory.</summary>
    ENOMEM = 12,
    /// <summary>Permission denied.</summary>
    EACCES = 13,
    /// <summary>Bad address.</summary>
    EFAULT = 14,
    /// <summary>Invalid argument.</summary>
    EINVAL = 22,
    /// <summary>Too many open files in the system.</summary>
    ENFILE = 23,
    /// <summary>Too many open files in this process.</summary>
    EMFILE = 24,
    /// <summary>Broken pipe: the peer is gone.</summary>
    EPIPE = 32,
    /// <summary>Protocol error (accept4 can report it for an aborted handshake).</summary>
    EPROTO = 71,
    /// <summary>Not a socket.</summary>
    ENOTSOCK = 88,
    /// <summary>Address family not supported.</summary>
    EAFNOSUPPORT = 97,
    /// <summary>Address already in use.</summary>
    EADDRINUSE = 98,
    /// <summary>Cannot assign the requested address.</summary>
    EADDRNOTAVAIL = 99,
    /// <summary>Network is down.</summary>
    ENETDOWN = 100,
    /// <summary>Network unreachable.</summary>
    ENETUNREACH = 101,
    /// <summary>Connection aborted before accept completed.</summary>
    ECONNABORTED = 103,
    /// <summary>Connection reset by peer.</summary>
    ECONNRESET = 104,
    /// <summary>No buffer space available.</summary>
    ENOBUFS = 105,
    /// <summary>Socket is not connected.</summary>
    ENOTCONN = 107,
    /// <summary>Connection timed out.</summary>
    ETIMEDOUT = 110,
    /// <summary>Connection refused.</summary>
    ECONNREFUSED = 111,
    /// <summary>Host unreachable.</summary>
    EHOSTUNREACH = 113,
    /// <summary>A non-blocking connect is under way.</summary>
    EINPROGRESS = 115,
}

/// <summary>Helpers for reading errno values after a failed call.</summary>
internal static class ErrnoExtensions
{
    /// <summary>True when the error means the peer went away (reset, broken pipe, timeout), which a server treats as a normal close.</summary>
    public static bool IsPeerGone(this Errno errno) =>
        errno is Errno.ECONNRESET or Errno.EPIPE or Errno.ETIMEDOUT or Errno.ENOTCONN or Errno.EHOSTUNREACH or Errno.ENETUNREACH;
}
