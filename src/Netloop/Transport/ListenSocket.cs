using System.Net;
using System.Net.Sockets;
using Netloop.Native;
using static Netloop.Native.Constants;

namespace Netloop.Transport;

/// <summary>Opens non-blocking listening sockets: socket, SO_REUSEADDR/SO_REUSEPORT, bind, listen. Errors become clear exceptions.</summary>
internal static class ListenSocket
{
    /// <summary>Opens a listening fd on <paramref name="endPoint"/>; returns it with the address actually bound (port 0 resolved).</summary>
    public static int Open(IPEndPoint endPoint, bool reusePort, int backlog, out IPEndPoint bound)
    {
        int family = endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? AF_INET6 : AF_INET;
        int fd = Sys.Socket(family);
        if (fd < 0) throw new NetloopException($"cannot create a socket: {(Errno)(-fd)}");
        try
        {
            Sys.SetOption(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            if (reusePort) Sys.SetOption(fd, SOL_SOCKET, SO_REUSEPORT, 1);
            int rc = Sys.Bind(fd, SocketAddressBuffer.From(endPoint));
            if (rc < 0) throw BindError((Errno)(-rc), endPoint);
            rc = Sys.Listen(fd, backlog);
            if (rc < 0)
            {
                // With SO_REUSEPORT a conflicting listener may only show up at listen(2).
                if ((Errno)(-rc) == Errno.EADDRINUSE) throw new AddressInUseException(endPoint);
                throw new NetloopException($"cannot listen on {endPoint}: {(Errno)(-rc)}");
            }
            Sys.GetSockName(fd, out var address);
            bound = address.ToEndPoint();
            return fd;
        }
        catch
        {
            Sys.Close(fd);
            throw;
        }
    }

    private static NetloopException BindError(Errno errno, IPEndPoint endPoint) => errno switch
    {
        Errno.EADDRINUSE => new AddressInUseException(endPoint),
        Errno.EACCES => new NetloopException($"permission denied to listen on {endPoint} (ports below 1024 need privileges)"),
        Errno.EADDRNOTAVAIL => new NetloopException($"address {endPoint.Address} is not an address of this machine"),
        _ => new NetloopException($"cannot bind {endPoint}: {errno}"),
    };
}
