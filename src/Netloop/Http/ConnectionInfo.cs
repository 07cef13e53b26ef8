using System.Net;
using System.Security.Cryptography.X509Certificates;
using Netloop.Transport;
using Netloop.Transport.Tls;

namespace Netloop.Http;

/// <summary>
/// The connection a request came on (<see cref="HttpContext.Connection"/>, as in ASP.NET Core): its id, the client's
/// address, and what TLS negotiated. Read it during the request; the context and this object are reused afterwards.
/// </summary>
public sealed class ConnectionInfo
{
    private readonly HttpRequest _request;

    internal ConnectionInfo(HttpRequest request) => _request = request;

    /// <summary>A process-unique number of the connection (the one in the server's log lines).</summary>
    public long Id => _request.Connection?.Id ?? 0;

    /// <summary>The client's address, looked up on first use.</summary>
    public IPEndPoint? RemoteEndPoint => _request.RemoteEndPoint;

    /// <summary>The TLS version negotiated (<c>TLSv1.3</c>, <c>TLSv1.2</c>), or null on a plaintext connection.</summary>
    public string? TlsProtocol => Tls?.Protocol;

    /// <summary>The host name the client asked for by SNI, or null (no TLS, or none sent).</summary>
    public string? TlsServerName => Tls?.ServerName;

    /// <summary>
    /// The certificate the client sent, verified against the server's client CA (<see cref="Server.TlsOptions.ClientCertificateMode"/>),
    /// or null: no TLS, client certificates not asked for, or none sent. Made once per connection, on first use.
    /// </summary>
    public X509Certificate2? ClientCertificate => Tls?.ClientCertificate;

    private TlsConnectionInfo? Tls => (_request.Connection as ITlsConnection)?.Tls;
}
