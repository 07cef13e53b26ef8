namespace Netloop.Native;

/// <summary>Linux constants for the calls in <see cref="Libc"/> (generic ABI, same on x86-64 and arm64).</summary>
internal static class Constants
{
    public const int AF_INET = 2;
    public const int AF_INET6 = 10;
    public const int SOCK_STREAM = 1;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;

    public const int SOL_SOCKET = 1;
    public const int SO_REUSEADDR = 2;
    public const int SO_ERROR = 4;
    public const int SO_SNDBUF = 7;
    public const int SO_RCVBUF = 8;
    public const int SO_LINGER = 13;
    public const int SO_REUSEPORT = 15;
    public const int IPPROTO_IP = 0;
    public const int IP_BIND_ADDRESS_NO_PORT = 24;
    public const int IPPROTO_TCP = 6;
    public const int IPPROTO_IPV6 = 41;
    public const int TCP_NODELAY = 1;
    public const int IPV6_V6ONLY = 26;

    public const int MSG_NOSIGNAL = 0x4000;
    public const int MSG_PEEK = 0x2;
    public const int MSG_DONTWAIT = 0x40;
    public const int SHUT_RD = 0;
    public const int SHUT_WR = 1;
    public const int SHUT_RDWR = 2;

    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CTL_MOD = 3;
    public const uint EPOLLIN = 0x001;
    public const uint EPOLLOUT = 0x004;
    public const uint EPOLLERR = 0x008;
    public const uint EPOLLHUP = 0x010;
    public const uint EPOLLRDHUP = 0x2000;
    public const uint EPOLLET = 1u << 31;

    public const short POLLIN = 0x001;
    public const short POLLOUT = 0x004;
    public const short POLLERR = 0x008;
    public const short POLLHUP = 0x010;
    public const short POLLNVAL = 0x020;
    public const short POLLRDHUP = 0x2000;

    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;

    public const int RLIMIT_NOFILE = 7;

    /// <summary>Linux's IOV_MAX: the most iovecs one writev accepts.</summary>
    public const int IOV_MAX = 1024;
}
