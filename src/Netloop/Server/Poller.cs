namespace Netloop.Server;

/// <summary>How the server's event loops wait for ready sockets (<see cref="ServerOptions.Poller"/>).</summary>
public enum Poller
{
    /// <summary>Edge-triggered epoll(7), one set per loop: the production choice on Linux, and the default.</summary>
    Epoll,

    /// <summary>Level-triggered poll(2): the portable fallback; its cost grows with the connections a loop holds.</summary>
    Poll,
}

/// <summary>
/// The poller names users type (<c>epoll</c>, <c>poll</c>: <c>--mode</c> on the command line and in the builder),
/// spelled out so that renaming an enum value cannot change them. The one parser of these names.
/// </summary>
internal static class PollerNames
{
    /// <summary>The name of <paramref name="poller"/> on the command line and in messages.</summary>
    public static string Name(this Poller poller) => poller switch
    {
        Poller.Epoll => "epoll",
        Poller.Poll => "poll",
        _ => throw new ArgumentOutOfRangeException(nameof(poller), poller, "unknown poller"),
    };

    /// <summary>The names, comma-separated, for messages.</summary>
    public static string List { get; } = string.Join(", ", Enum.GetValues<Poller>().Select(p => p.Name()));

    /// <summary>Reads a name, ignoring case; false for anything else (numbers included).</summary>
    public static bool TryParse(string? name, out Poller poller)
    {
        foreach (var candidate in Enum.GetValues<Poller>())
        {
            if (string.Equals(candidate.Name(), name, StringComparison.OrdinalIgnoreCase))
            {
                poller = candidate;
                return true;
            }
        }
        poller = default;
        return false;
    }
}
