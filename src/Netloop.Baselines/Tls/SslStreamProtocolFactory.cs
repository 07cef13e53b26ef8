using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netloop.Protocols.Http1;
using Netloop.Transport;

namespace Netloop.Baselines.Tls;

/// <summary>
/// TLS candidate (A) of issue P8: any protocol (echo, http) behind <see cref="SslStream"/>, run on the connection's loop
/// thread through a non-blocking stream adapter (the .NET and Kestrel way), so it can be measured against OpenSSL
/// driven directly by the transport. One <see cref="SslStreamProtocol"/> per connection; the handshake must finish
/// within <see cref="HandshakeTimeout"/>.
/// </summary>
internal sealed class SslStreamProtocolFactory : IConnectionProtocolFactory
{
    private readonly HttpProtocolFactory? _http;

    public SslStreamProtocolFactory(IConnectionProtocolFactory inner, X509Certificate2 certificate, ILogger? logger = null, TimeSpan? handshakeTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _http = inner as HttpProtocolFactory;
        Logger = logger ?? NullLogger.Instance;
        HandshakeTimeout = handshakeTimeout ?? TimeSpan.FromSeconds(10);
        Options = new SslServerAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            // The chain is built once here, not on every handshake.
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true),
            ApplicationProtocols = ApplicationProtocolsOf(_http),
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowRenegotiation = false,
        };
    }

    /// <summary>The protocol spoken inside TLS.</summary>
    public IConnectionProtocolFactory Inner { get; }

    // The start-up line and the bench key on the inner protocol's name (http or echo).
    public string Name => Inner.Name;

    public TimeSpan HandshakeTimeout { get; }

    /// <summary>Shared by every handshake: SslStream copies what it needs.</summary>
    internal SslServerAuthenticationOptions Options { get; }

    internal ILogger Logger { get; }

    /// <summary>Handshakes completed.</summary>
    public long Handshakes => Interlocked.Read(ref HandshakeCount);

    /// <summary>Handshakes that failed or timed out.</summary>
    public long FailedHandshakes => Interlocked.Read(ref FailedHandshakeCount);

    internal long HandshakeCount;
    internal long FailedHandshakeCount;

    /// <summary>Loads PEM files (RSA or ECDSA) into a certificate with its private key.</summary>
    public static SslStreamProtocolFactory FromPemFiles(IConnectionProtocolFactory inner, string certificatePath, string keyPath, ILogger? logger = null) =>
        new(inner, X509Certificate2.CreateFromPemFile(certificatePath, keyPath), logger);

    public IConnectionProtocol Create() => new SslStreamProtocol(this);

    /// <summary>The protocol the plaintext side starts with, given the ALPN protocol the handshake chose (empty: none).</summary>
    internal IConnectionProtocol CreateInner(IConnection plaintext, ReadOnlySpan<byte> alpn)
    {
        if (_http is not null) return _http.CreateForAlpn(plaintext, alpn);
        var protocol = Inner.Create();
        protocol.OnConnected(plaintext);
        return protocol;
    }

    private static List<SslApplicationProtocol>? ApplicationProtocolsOf(HttpProtocolFactory? http)
    {
        if (http is null) return null;
        var protocols = new List<SslApplicationProtocol>(2);
        if (http.ServesHttp2) protocols.Add(SslApplicationProtocol.Http2);
        if (http.ServesHttp1) protocols.Add(SslApplicationProtocol.Http11);
        return protocols;
    }
}
