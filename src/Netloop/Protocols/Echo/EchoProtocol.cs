namespace Netloop.Protocols.Echo;

/// <summary>Echo (RFC 862 over TCP): every byte received is sent back, in order. Stateless, so one instance serves all connections.</summary>
public sealed class EchoProtocol : IConnectionProtocol, IConnectionProtocolFactory
{
    /// <summary>The shared instance.</summary>
    public static readonly EchoProtocol Instance = new();

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
}
