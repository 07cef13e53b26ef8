namespace Netloop.Server;

/// <summary>
/// HTTPS (and TLS for any protocol) on a <see cref="NetloopServer"/>: <see cref="ServerOptions.Tls"/>. The server offers
/// TLS 1.2 and 1.3 only, with forward-secret AEAD ciphers in its own order, ALPN (<c>h2</c>, <c>http/1.1</c>), SNI,
/// session resumption with rotated ticket keys, and reloads its certificates on SIGHUP and when their files change.
/// </summary>
public sealed class TlsOptions
{
    /// <summary>
    /// The default certificate: PEM (leaf first, then its chain; RSA or ECDSA) with the key in <see cref="KeyPath"/> or
    /// in the same file, or a PKCS#12 file (<c>.pfx</c>/<c>.p12</c>) opened with <see cref="Password"/>. Required.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/>; null when the key is in the certificate file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of an encrypted PEM key or of a PKCS#12 file.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Null (the default): <see cref="ServerOptions.Port"/> speaks TLS only. A port: a TLS listener on it beside the
    /// plaintext one on <see cref="ServerOptions.Port"/> (0 picks a free port; see <see cref="NetloopServer.TlsEndPoint"/>).
    /// </summary>
    public int? Port { get; set; }

    /// <summary>Certificates chosen by the host name a client asks for (SNI); a client that asks for another name, or none, gets the default.</summary>
    public IList<TlsServerName> ServerNames { get; } = new List<TlsServerName>();

    /// <summary>A connection that has not finished its handshake within this time is closed. Default: 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether clients are asked for a certificate. Default: <see cref="ClientCertificateMode.NoCertificate"/>.</summary>
    public ClientCertificateMode ClientCertificateMode { get; set; }

    /// <summary>PEM file of the CA certificates a client certificate must chain to; required unless <see cref="ClientCertificateMode"/> is <see cref="ClientCertificateMode.NoCertificate"/>.</summary>
    public string? ClientCertificateAuthorityPath { get; set; }

    /// <summary>Reload the certificates when their files change (checked every second), besides on SIGHUP. Default: true.</summary>
    public bool ReloadOnFileChange { get; set; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range (the files themselves are read at start).</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(CertificatePath)) throw new ArgumentException("TLS needs a certificate (--tls-cert)");
        if (Port is < 0 or > 65535) throw new ArgumentException($"tls-port must be 0-65535, got {Port}");
        if (HandshakeTimeout <= TimeSpan.Zero) throw new ArgumentException("tls-handshake-timeout must be positive");
        if (!Enum.IsDefined(ClientCertificateMode)) throw new ArgumentException($"unknown client certificate mode {(int)ClientCertificateMode}");
        if (ClientCertificateMode != ClientCertificateMode.NoCertificate && string.IsNullOrWhiteSpace(ClientCertificateAuthorityPath))
            throw new ArgumentException("client certificates need the CA that issues them (--tls-client-ca)");
        foreach (var name in ServerNames)
        {
            if (string.IsNullOrWhiteSpace(name.HostName)) throw new ArgumentException("an SNI certificate needs a host name");
            if (string.IsNullOrWhiteSpace(name.CertificatePath)) throw new ArgumentException($"the SNI certificate for {name.HostName} needs a certificate file");
        }
    }
}

/// <summary>A certificate offered to clients that ask for <see cref="HostName"/> by SNI (<c>*.example.com</c> matches one label under the domain).</summary>
public sealed class TlsServerName
{
    /// <summary>The host name, or a wildcard <c>*.example.com</c>.</summary>
    public string HostName { get; set; } = "";

    /// <summary>PEM certificate (with its chain) or PKCS#12 file, as <see cref="TlsOptions.CertificatePath"/>.</summary>
    public string CertificatePath { get; set; } = "";

    /// <summary>The PEM key, when not in the certificate file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of an encrypted key or PKCS#12 file.</summary>
    public string? Password { get; set; }
}

/// <summary>Whether a TLS server asks clients for a certificate (the names Kestrel uses).</summary>
public enum ClientCertificateMode
{
    /// <summary>Clients are not asked.</summary>
    NoCertificate,

    /// <summary>Clients are asked; one that sends none is served, one that sends an invalid one is refused.</summary>
    AllowCertificate,

    /// <summary>Clients must send a certificate that chains to the configured CA.</summary>
    RequireCertificate,
}
