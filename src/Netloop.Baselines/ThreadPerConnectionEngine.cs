using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netloop.Protocols;
using Netloop.Server;
using Netloop.Transport;

namespace Netloop.Baselines;

/// <summary>
/// The threads mode: one thread accepts, and every connection gets a thread of its own that serves it with blocking
/// calls. Simple and fast for a few connections; each one costs a thread and its stack, which is what it shows.
/// </summary>
internal sealed class ThreadPerConnectionEngine(EngineContext context, IConnectionProtocolFactory protocols)
    : BaselineEngine(context, protocols)
{
    // A connection's thread holds the protocol's calls and a 16 KiB receive buffer; the runtime's default stack of
    // a few MiB would only reserve address space per connection.
    private const int ConnectionStackSize = 256 * 1024;

    protected override Task StartAccepting(Socket listener) => RunOnNewThread("netloop-accept", () => Accept(listener));

    private void Accept(Socket listener)
    {
        while (AcceptBlocking(listener) is { } socket)
        {
            var connection = new BlockingConnection(this, socket);
            if (!Admit(connection)) continue;
            try
            {
                // The engine tracks the connection's Completion, not the thread's.
                _ = RunOnNewThread($"netloop-conn-{connection.Id}", connection.Run, ConnectionStackSize);
            }
            catch (Exception e) when (e is OutOfMemoryException or ThreadStartException)
            {
                connection.Abandon(e);
            }
        }
    }
}
