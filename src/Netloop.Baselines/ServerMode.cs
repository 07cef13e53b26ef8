using Netloop.Server;

namespace Netloop.Baselines;

/// <summary>
/// Every way <c>netloop serve --mode</c> can serve connections: the product's reactor (<see cref="Epoll"/>,
/// <see cref="Poll"/>, which are <see cref="Poller"/> values of <see cref="ServerOptions"/>), the comparison baselines and
/// the async experiment's designs. They exist to be compared; the product library names none but its pollers.
/// </summary>
public enum ServerMode
{
    /// <summary>Edge-triggered epoll(7) event loops, one per core: the production mode on Linux.</summary>
    Epoll,
    /// <summary>Level-triggered poll(2) event loops: the portable fallback.</summary>
    Poll,
    /// <summary>One blocking thread serves one client at a time; the others wait in the backlog.</summary>
    Serial,
    /// <summary>A blocking thread per connection.</summary>
    Threads,
    /// <summary>.NET's own async <see cref="System.Net.Sockets.Socket"/> API (the runtime's epoll engine, as Kestrel uses).</summary>
    Sockets,
    /// <summary>Async experiment: accept, await the handler, accept again (one client at a time, in async style).</summary>
    AsyncSerial,
    /// <summary>Async experiment: a task per connection, started and never tracked (fire and forget).</summary>
    AsyncForget,
    /// <summary>Async experiment: every connection task in a group; at shutdown the group is cancelled and awaited.</summary>
    AsyncGroup,
    /// <summary>Async experiment: each task on a small bounded queue that one waiter awaits in order.</summary>
    AsyncWaiter,
    /// <summary>Async experiment: each task hands its own completion to one waiter when it finishes.</summary>
    AsyncWaiter2,
    /// <summary>Async experiment: a fixed number of workers take accepted sockets from a bounded channel.</summary>
    AsyncWorkers,
    /// <summary>Async experiment: one loop awaits <see cref="Task.WhenAny(Task[])"/> over the pending accept and every running handler.</summary>
    AsyncSelect,
}

/// <summary>Facts about <see cref="ServerMode"/> values, and the one parser of mode names.</summary>
public static class ServerModes
{
    /// <summary>
    /// True for the async experiment's designs (<c>async-*</c>): they serve echo with a hand-written task-based handler
    /// and implement none of the transport's features (idle timeout, connection limit, other protocols).
    /// </summary>
    public static bool IsAsyncDesign(this ServerMode mode) => mode >= ServerMode.AsyncSerial;

    /// <summary>
    /// The mode's name on the command line and in messages (<c>epoll</c>, <c>async-waiter2</c>), spelled out so that
    /// trimming or renaming a value cannot change what users type.
    /// </summary>
    public static string Name(this ServerMode mode) => mode switch
    {
        ServerMode.Epoll => Poller.Epoll.Name(),
        ServerMode.Poll => Poller.Poll.Name(),
        ServerMode.Serial => "serial",
        ServerMode.Threads => "threads",
        ServerMode.Sockets => "sockets",
        ServerMode.AsyncSerial => "async-serial",
        ServerMode.AsyncForget => "async-forget",
        ServerMode.AsyncGroup => "async-group",
        ServerMode.AsyncWaiter => "async-waiter",
        ServerMode.AsyncWaiter2 => "async-waiter2",
        ServerMode.AsyncWorkers => "async-workers",
        ServerMode.AsyncSelect => "async-select",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown mode"),
    };

    /// <summary>True for the modes the product's reactor serves (<see cref="ServerMode.Epoll"/>, <see cref="ServerMode.Poll"/>).</summary>
    public static bool IsReactor(this ServerMode mode) => mode is ServerMode.Epoll or ServerMode.Poll;

    /// <summary>Every mode, in the order help lists them (the enum's order).</summary>
    public static IReadOnlyList<ServerMode> All { get; } = Enum.GetValues<ServerMode>();

    /// <summary>The names, comma-separated, for help and error messages.</summary>
    public static string List { get; } = string.Join(", ", All.Select(m => m.Name()));

    /// <summary>Reads a mode name as users type it (<c>epoll</c>, <c>async-waiter2</c>), ignoring case; false for anything else.</summary>
    public static bool TryParse(string? name, out ServerMode mode)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Name(), name, StringComparison.OrdinalIgnoreCase))
            {
                mode = candidate;
                return true;
            }
        }
        mode = default;
        return false;
    }
}
