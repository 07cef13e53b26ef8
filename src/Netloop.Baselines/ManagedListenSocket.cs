using System.Net;
using System.Net.Sockets;
using Netloop.Native;
using Netloop.Server;

namespace Netloop.Baselines;

/// <summary>Opens the listening <see cref="Socket"/> of the baseline modes, with the reactor's options and the same clear errors.</summary>
internal static class ManagedListenSocket
{
    /// <summary>Binds and listens on <see cref="ServerOptions.Address"/>:<see cref="ServerOptions.Port"/>; returns the socket and the address bound (port 0 resolved).</summary>
    public static Socket Open(ServerOptions options, out IPEndPoint bound)
    {
        var endPoint = new IPEndPoint(options.Address, options.Port);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // SetSocketOption(ReuseAddress) on Linux also sets SO_REUSEPORT, which would let this server silently share
            // a port another socket holds; set exactly the options asked for.
            SetFlag(socket, Constants.SO_REUSEADDR);
            if (options.ReusePort) SetFlag(socket, Constants.SO_REUSEPORT);
            socket.Bind(endPoint);
            socket.Listen(options.Backlog);
            bound = (IPEndPoint)socket.LocalEndPoint!;
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw Translate(e, endPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void SetFlag(Socket socket, int option)
    {
        Span<byte> one = stackalloc byte[sizeof(int)];
        BitConverter.TryWriteBytes(one, 1);
        socket.SetRawSocketOption(Constants.SOL_SOCKET, option, one);
    }

    // With SO_REUSEPORT a conflicting listener may only show up at listen(2), so both calls end here.
    private static NetloopException Translate(SocketException e, IPEndPoint endPoint) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => new AddressInUseException(endPoint),
        SocketError.AccessDenied => new NetloopException($"permission denied to listen on {endPoint} (ports below 1024 need privileges)", e),
        SocketError.AddressNotAvailable => new NetloopException($"address {endPoint.Address} is not an address of this machine", e),
        _ => new NetloopException($"cannot listen on {endPoint}: {e.SocketErrorCode}", e),
    };
}
