namespace Netloop.Transport.Tls;

/// <summary>One certificate the server offers: the default one, or the one for the host names a client asks for by SNI.</summary>
internal sealed record TlsCertificateSource(string CertificatePath, string? KeyPath, string? Password, IReadOnlyList<string> HostNames);

/// <summary>Whether the server asks the client for a certificate, and whether it must send one.</summary>
internal enum TlsClientCertificates
{
    None,
    Request,
    Require,
}

/// <summary>
/// What a TLS listener is given by the server above it, as values: certificates, client-certificate policy, the
/// handshake deadline, the ALPN names it serves (most preferred first) and the reply to a plaintext request.
/// </summary>
internal sealed record TlsSettings
{
    /// <summary>The default certificate first, then those chosen by SNI host name.</summary>
    public required IReadOnlyList<TlsCertificateSource> Certificates { get; init; }

    public TlsClientCertificates ClientCertificates { get; init; }

    /// <summary>PEM file of the CAs client certificates must chain to.</summary>
    public string? ClientCertificateAuthorityPath { get; init; }

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>ALPN protocol names the server accepts, preferred first (<c>h2</c>, <c>http/1.1</c>); empty: no ALPN.</summary>
    public IReadOnlyList<string> ApplicationProtocols { get; init; } = [];

    /// <summary>Sent to a client that speaks plaintext HTTP to the TLS port, before the close; empty: just close.</summary>
    public ReadOnlyMemory<byte> PlaintextReply { get; init; }

    /// <summary>How often the session-ticket key is replaced (the previous two still open tickets, which are then renewed).</summary>
    public TimeSpan TicketKeyRotation { get; init; } = TimeSpan.FromHours(1);
}
