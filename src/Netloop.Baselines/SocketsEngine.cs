using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netloop.Protocols;
using Netloop.Server;
using Netloop.Transport;

namespace Netloop.Baselines;

/// <summary>
/// The sockets mode: .NET's own async <see cref="Socket"/> API, one async flow per connection on the thread pool, over
/// the runtime's epoll engine, as Kestrel's socket transport uses it. The reactor's nearest rival.
/// </summary>
internal sealed class SocketsEngine(EngineContext context, IConnectionProtocolFactory protocols)
    : BaselineEngine(context, protocols)
{
    protected override Task StartAccepting(Socket listener) => Task.Run(() => AcceptAsync(listener));

    private async Task AcceptAsync(Socket listener)
    {
        while (!IsStopping)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (Exception e)
            {
                if (IsStopping) return;
                var pause = OnAcceptError(e);
                if (pause > TimeSpan.Zero) await Task.Delay(pause).ConfigureAwait(false);
                continue;
            }
            var connection = new AsyncSocketConnection(this, socket);
            // Off the accept loop, so a protocol's OnConnected never delays the next accept. The engine tracks the
            // connection's Completion, and RunAsync never faults.
            if (Admit(connection)) ThreadPool.UnsafeQueueUserWorkItem(static c => _ = c.RunAsync(), connection, preferLocal: false);
        }
    }
}
