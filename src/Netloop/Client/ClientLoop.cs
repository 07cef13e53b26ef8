using System.Net;
using Microsoft.Extensions.Logging;

namespace Netloop.Client;

/// <summary>
/// One reactor loop (its own thread) that opens outbound TCP connections and drives each with an
/// <see cref="IClientProtocol"/>: the same non-blocking transport the server uses (edge-triggered epoll, one gathered
/// write per connection per iteration, pooled buffers), pointed the other way. The engine of <c>netloop load</c>.
/// </summary>
/// <remarks>
/// <see cref="Connect"/> runs on the loop thread: call it from a protocol callback or from work given to <see cref="Post"/>.
/// </remarks>
public sealed class ClientLoop : IDisposable
{
    /// <summary>Creates the loop; <see cref="Start"/> starts its thread.</summary>
    public ClientLoop(ClientLoopOptions? options = null, ILogger? logger = null) => throw new NotImplementedException();

    /// <summary>The loop's clock in milliseconds (Environment.TickCount64 as of the current iteration).</summary>
    public long NowMs => throw new NotImplementedException();

    /// <summary>Connections open now (connecting ones included).</summary>
    public int ActiveConnections => throw new NotImplementedException();

    /// <summary>Pooled buffer blocks lent out and not yet returned (0 after <see cref="StopAsync"/>: nothing leaked).</summary>
    public long OutstandingBuffers => throw new NotImplementedException();

    /// <summary>True on the loop's own thread.</summary>
    public bool IsOnLoopThread => throw new NotImplementedException();

    /// <summary>Completes when the loop thread has exited.</summary>
    public Task Completion => throw new NotImplementedException();

    /// <summary>Starts the loop thread.</summary>
    public void Start() => throw new NotImplementedException();

    /// <summary>Runs <paramref name="work"/> on the loop thread soon; safe from any thread.</summary>
    public void Post(Action<object?> work, object? state) => throw new NotImplementedException();

    /// <summary>
    /// Opens a non-blocking connection to <paramref name="remote"/>, from <paramref name="localAddress"/> when given (port
    /// chosen by the kernel). On success the protocol's <see cref="Protocols.IConnectionProtocol.OnConnected"/> runs once
    /// the handshake completes; on failure, now or later, <see cref="IClientProtocol.OnConnectFailed"/> runs (never inside this call).
    /// Loop thread only.
    /// </summary>
    public void Connect(IPEndPoint remote, IPAddress? localAddress, IClientProtocol protocol) => throw new NotImplementedException();

    /// <summary>Aborts every connection (their protocols see <see cref="Protocols.CloseReason.Shutdown"/>) and stops the loop.</summary>
    public Task StopAsync() => throw new NotImplementedException();

    /// <inheritdoc/>
    public void Dispose() => throw new NotImplementedException();
}
