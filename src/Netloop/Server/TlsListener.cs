using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Netloop.Transport;
using Netloop.Transport.Tls;

namespace Netloop.Server;

/// <summary>
/// A server's TLS: the transport's <see cref="TlsEndpoint"/> made from <see cref="TlsOptions"/>, the certificate reloads
/// (SIGHUP, and file changes when <see cref="TlsOptions.ReloadOnFileChange"/>), and the <c>TLS: handshakes=…</c> line
/// logged at stop.
/// </summary>
internal sealed class TlsListener : IDisposable
{
    private readonly TlsOptions _options;
    private readonly ILogger _logger;
    private PosixSignalRegistration? _sighup;
    private TlsCertificateWatcher? _watcher;

    private TlsListener(TlsEndpoint endpoint, TlsOptions options, ILogger logger)
    {
        Endpoint = endpoint;
        _options = options;
        _logger = logger;
    }

    public TlsEndpoint Endpoint { get; }

    /// <summary>Reads the certificates; throws <see cref="NetloopException"/> with one line when one is missing, unreadable, expired or does not match its key.</summary>
    public static TlsListener Create(TlsOptions options, IConnectionProtocolFactory protocols, ILogger logger)
    {
        var certificates = new List<TlsCertificateSource> { new(options.CertificatePath!, options.KeyPath, options.Password, []) };
        foreach (var name in options.ServerNames) certificates.Add(new(name.CertificatePath, name.KeyPath, name.Password, [name.HostName]));
        var alpn = protocols as IAlpnProtocolFactory;
        var settings = new TlsSettings
        {
            Certificates = certificates,
            ClientCertificates = options.ClientCertificateMode switch
            {
                ClientCertificateMode.AllowCertificate => TlsClientCertificates.Request,
                ClientCertificateMode.RequireCertificate => TlsClientCertificates.Require,
                _ => TlsClientCertificates.None,
            },
            ClientCertificateAuthorityPath = options.ClientCertificateAuthorityPath,
            HandshakeTimeout = options.HandshakeTimeout,
            ApplicationProtocols = alpn?.ApplicationProtocols ?? [],
            PlaintextReply = alpn?.PlaintextReply ?? default,
        };
        return new TlsListener(new TlsEndpoint(settings, protocols, logger), options, logger);
    }

    /// <summary>From here on SIGHUP, and a change of the files, reload the certificates.</summary>
    public void StartWatching()
    {
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // a reload, not the default end of the process
            Endpoint.Reload("SIGHUP");
        });
        if (_options.ReloadOnFileChange) _watcher = new TlsCertificateWatcher(Endpoint, TimeSpan.FromSeconds(1));
    }

    public void Dispose()
    {
        _sighup?.Dispose();
        _watcher?.Dispose();
        var counters = Endpoint.Counters;
        // Any connection the TLS port saw, or any reload: a port that only timed out half-open handshakes says so too.
        if (Interlocked.Read(ref counters.Handshakes) + Interlocked.Read(ref counters.Failed) + Interlocked.Read(ref counters.Plaintext)
            + Interlocked.Read(ref counters.TimedOut) + Interlocked.Read(ref counters.Reloads) + Interlocked.Read(ref counters.ReloadFailures) > 0)
            _logger.LogInformation("TLS: {Summary}", counters.Summary());
        Endpoint.Dispose();
    }
}
