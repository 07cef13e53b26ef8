namespace Netloop.Server;

/// <summary>How the server waits for and serves connections. Every mode speaks the same protocols; they exist to be compared.</summary>
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
}
