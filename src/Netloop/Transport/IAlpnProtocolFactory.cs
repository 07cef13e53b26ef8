namespace Netloop.Transport;

/// <summary>
/// A protocol factory that serves several application protocols and lets TLS's ALPN (RFC 7301) pick one per
/// connection. The names go into the handshake; the chosen one (or none) comes back once it completes.
/// </summary>
internal interface IAlpnProtocolFactory : IConnectionProtocolFactory
{
    /// <summary>The ALPN names served, most preferred first (<c>h2</c>, <c>http/1.1</c>).</summary>
    IReadOnlyList<string> ApplicationProtocols { get; }

    /// <summary>The protocol for a connection whose handshake chose <paramref name="alpn"/> (empty when the client offered none).</summary>
    IConnectionProtocol CreateForAlpn(IConnection connection, ReadOnlySpan<byte> alpn);

    /// <summary>What a client that speaks the plaintext protocol to the TLS port is told before the close (nginx's 400); empty: nothing.</summary>
    ReadOnlyMemory<byte> PlaintextReply { get; }
}
