using Microsoft.Extensions.Logging;
using Netloop.Transport;

namespace Netloop.Server;

/// <summary>
/// The one seam through which another way of serving connections plugs into <see cref="NetloopServer"/> in place of the
/// reactor: the comparison baselines and the async designs (the Netloop.Baselines assembly) implement it. Internal: the
/// product's public choice is the <see cref="Poller"/>; nothing public names an engine.
/// </summary>
internal interface IServerEngineFactory
{
    /// <summary>The engine's name in logs and messages, as users type it (<c>epoll</c>, <c>threads</c>, <c>async-group</c>).</summary>
    string Name { get; }

    /// <summary>True when the engine runs <see cref="ServerOptions.Loops"/> event loops (its stats carry loop allocations).</summary>
    bool RunsEventLoops { get; }

    /// <summary>
    /// Makes the engine. <paramref name="limit"/> counts accepted connections for every engine alike. Throws
    /// <see cref="ArgumentException"/> when the engine cannot serve <paramref name="protocol"/>.
    /// </summary>
    IServerEngine Create(ServerOptions options, IConnectionProtocolFactory protocol, ILoggerFactory loggers, ServeLimit limit);
}
