using Netloop.Transport;

namespace Netloop.Protocols.Echo;

/// <summary>
/// Echo (RFC 862 over TCP): every byte received is sent back, in order; when the client half-closes, the connection
/// closes once its echo is out, after <see cref="CloseDelay"/> (slow work the handler does, in the async experiment).
/// Stateless, so one instance serves all connections.
/// </summary>
public sealed class EchoProtocol : IConnectionProtocol, IConnectionProtocolFactory
{
    /// <summary>The shared instance: no delay.</summary>
    public static readonly EchoProtocol Instance = new(TimeSpan.Zero);

    private EchoProtocol(TimeSpan closeDelay) => CloseDelay = closeDelay;

    /// <summary>How long a connection waits after its client half-closed before it closes.</summary>
    public TimeSpan CloseDelay { get; }

    /// <summary>Echo that waits <paramref name="closeDelay"/> after the client half-closes before closing.</summary>
    public static EchoProtocol WithCloseDelay(TimeSpan closeDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(closeDelay, TimeSpan.Zero);
        return closeDelay == TimeSpan.Zero ? Instance : new EchoProtocol(closeDelay);
    }

    /// <inheritdoc/>
    public string Name => "echo";

    /// <inheritdoc/>
    public IConnectionProtocol Create() => this;

    /// <inheritdoc/>
    public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
    {
        var output = connection.Output;
        int total = data.Length;
        while (!data.IsEmpty)
        {
            var span = output.GetSpan(1);
            int n = Math.Min(span.Length, data.Length);
            data[..n].CopyTo(span);
            output.Advance(n);
            data = data[n..];
        }
        return total;
    }

    /// <inheritdoc/>
    public void OnInputCompleted(IConnection connection)
    {
        if (CloseDelay == TimeSpan.Zero) connection.Close();
        else connection.SetTimer(CloseDelay);
    }

    /// <inheritdoc/>
    public void OnTimer(IConnection connection) => connection.Close();
}
