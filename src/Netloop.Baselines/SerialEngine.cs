using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netloop.Protocols;
using Netloop.Server;
using Netloop.Transport;

namespace Netloop.Baselines;

/// <summary>
/// The serial mode: one thread accepts a client, serves it to the end with blocking calls, then accepts the next; the
/// others wait in the listen backlog. The floor every other mode is measured against.
/// </summary>
internal sealed class SerialEngine(EngineContext context, IConnectionProtocolFactory protocols)
    : BaselineEngine(context, protocols)
{
    protected override Task StartAccepting(Socket listener) => RunOnNewThread("netloop-serial", () => Serve(listener));

    private void Serve(Socket listener)
    {
        while (AcceptBlocking(listener) is { } socket)
        {
            var connection = new BlockingConnection(this, socket);
            if (Admit(connection)) connection.Run();
        }
    }
}
