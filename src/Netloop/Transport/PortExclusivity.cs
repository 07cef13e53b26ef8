using System.Globalization;
using System.Net;

namespace Netloop.Transport;

/// <summary>
/// Keeps a server that did not ask to share its port (<c>ReusePort</c> off) from joining someone else's listeners.
/// The loops of one server each bind their own SO_REUSEPORT listener, and the kernel lets any socket of the same user
/// with SO_REUSEPORT join such a group: bind(2) alone would let a second server take half of the first one's
/// connections without a word. So the server looks in the kernel's listener table for a listener on an overlapping
/// address that is not one of its own sockets — before binding, and again once every loop is bound (which catches
/// another server that started at the same moment: then both refuse, rather than both serving one port).
/// </summary>
internal static class PortExclusivity
{
    /// <summary>
    /// Throws <see cref="AddressInUseException"/> when a socket other than <paramref name="ownFds"/> listens on
    /// <paramref name="endPoint"/>'s port at an address that overlaps it (see <see cref="TcpListenerTable.Overlaps"/>).
    /// </summary>
    public static void ThrowIfOthersListen(IPEndPoint endPoint, IEnumerable<int> ownFds)
    {
        var own = new HashSet<long>();
        foreach (int fd in ownFds)
        {
            if (TryReadSocketInode(fd, out long inode)) own.Add(inode);
        }
        if (AnyOther(TcpListenerTable.ReadListeners(endPoint.Port), endPoint, own)) throw new AddressInUseException(endPoint);
    }

    /// <summary>Whether <paramref name="listeners"/> holds one on <paramref name="endPoint"/>'s port, at an overlapping address, whose inode is not in <paramref name="ownInodes"/>.</summary>
    public static bool AnyOther(IEnumerable<TcpListenerEntry> listeners, IPEndPoint endPoint, IReadOnlySet<long> ownInodes)
    {
        foreach (var listener in listeners)
        {
            if (listener.Port == endPoint.Port && !ownInodes.Contains(listener.Inode) && TcpListenerTable.Overlaps(endPoint.Address, listener.Address))
            {
                return true;
            }
        }
        return false;
    }

    // /proc/self/fd/N links to "socket:[inode]" for a socket: the inode the listener table names.
    private static bool TryReadSocketInode(int fd, out long inode)
    {
        inode = 0;
        string? target;
        try
        {
            target = new FileInfo($"/proc/self/fd/{fd.ToString(CultureInfo.InvariantCulture)}").LinkTarget;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        const string Prefix = "socket:[";
        if (target is null || !target.StartsWith(Prefix, StringComparison.Ordinal) || !target.EndsWith(']')) return false;
        return long.TryParse(target.AsSpan(Prefix.Length, target.Length - Prefix.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out inode);
    }
}
