using System.Net;
using Netloop.Transport;

namespace Netloop.Server;

/// <summary>One way of serving connections (made by an <see cref="IServerEngineFactory"/>). <see cref="NetloopServer"/> wraps exactly one.</summary>
internal interface IServerEngine
{
    /// <summary>The address bound, valid after <see cref="Start"/>.</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>The TLS listener's address (<see cref="LocalEndPoint"/> when it speaks TLS only); null without TLS.</summary>
    IPEndPoint? TlsEndPoint => null;

    /// <summary>Reads the TLS certificates again; false without TLS or when the new files are bad (the old ones stay).</summary>
    bool ReloadCertificates(string why) => false;

    /// <summary>Binds and starts serving; throws <see cref="AddressInUseException"/> or <see cref="NetloopException"/> with a clear message.</summary>
    void Start();

    /// <summary>Stops accepting, lets connections send their pending output for up to <paramref name="timeout"/>, closes everything and returns every buffer.</summary>
    Task StopAsync(TimeSpan timeout);

    /// <summary>Completes, with the cause, when a part of the engine fails beyond one connection (an event loop's thread): the host must stop the server. Never completes otherwise.</summary>
    Task<Exception> Failed => s_never.Task;

    private static readonly TaskCompletionSource<Exception> s_never = new();

    /// <summary>Current counters.</summary>
    ServerStats GetStats();

    /// <summary>Counts accepted connections against the serve limit (<c>--limit</c>).</summary>
    ServeLimit Limit { get; }

    /// <summary>Connection tasks started and not finished (only the async designs run one per connection).</summary>
    long UnfinishedTasks => 0;

    /// <summary>Unobserved task exceptions reported since the engine was made (the async designs).</summary>
    long UnobservedExceptions => 0;
}
