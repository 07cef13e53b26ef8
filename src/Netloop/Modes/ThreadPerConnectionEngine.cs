using System.Net;
using Microsoft.Extensions.Logging;
using Netloop.Protocols;
using Netloop.Server;

namespace Netloop.Modes;

// Placeholder to be replaced in this same change.
internal sealed class ThreadPerConnectionEngine(ServerOptions options, IConnectionProtocolFactory protocols, ILoggerFactory loggers) : IServerEngine
{
    public IPEndPoint LocalEndPoint => throw new NotImplementedException();
    public void Start() => throw new NotImplementedException($"{options}{protocols}{loggers}");
    public Task StopAsync(TimeSpan timeout) => throw new NotImplementedException();
    public ServerStats GetStats() => throw new NotImplementedException();
}
