using System.Text;
using Netloop.Native;

namespace Netloop.Transport.Tls;

/// <summary>
/// One OpenSSL <c>SSL_CTX</c> serving one certificate with the hardened defaults: TLS 1.2 and 1.3 only; for TLS 1.2
/// only ECDHE key exchange (forward secrecy) with AEAD ciphers, in the server's order; no compression, no
/// renegotiation; record buffers released while a connection is idle (<c>SSL_MODE_RELEASE_BUFFERS</c>, as nginx
/// does); rotated session-ticket keys (<see cref="TicketKeyRing"/>). The ALPN and SNI callbacks are the endpoint's.
/// An <c>SSL_CTX</c> is reference-counted: connections made from it keep it alive after <see cref="Dispose"/>.
/// </summary>
internal sealed unsafe class TlsServerContext : IDisposable
{
    /// <summary>TLS 1.2 suites: ECDHE only (forward secrecy), AEAD only (no CBC, no SHA-1 MACs), strongest first.</summary>
    internal const string Tls12Ciphers =
        "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:" +
        "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";

    internal const string Tls13Suites = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";

    private nint _handle;

    private TlsServerContext(nint handle, TlsCertificate certificate)
    {
        _handle = handle;
        Certificate = certificate;
    }

    public nint Handle => _handle;

    public TlsCertificate Certificate { get; }

    /// <summary>Makes the context; throws <see cref="NetloopException"/> with OpenSSL's reason when it refuses.</summary>
    public static TlsServerContext Create(TlsCertificate certificate, TlsSettings settings, TlsEndpoint endpoint, int load)
    {
        OpenSsl.ERR_clear_error();
        nint ctx = OpenSsl.SSL_CTX_new(OpenSsl.TLS_server_method());
        if (ctx == 0) throw Failure("cannot create an OpenSSL context");
        try
        {
            Configure(ctx, certificate, settings, endpoint, load);
            return new TlsServerContext(ctx, certificate);
        }
        catch
        {
            OpenSsl.SSL_CTX_free(ctx);
            throw;
        }
    }

    private static void Configure(nint ctx, TlsCertificate certificate, TlsSettings settings, TlsEndpoint endpoint, int load)
    {
        if (!OpenSsl.SetProtocolRange(ctx, OpenSsl.TLS1_2_VERSION, OpenSsl.TLS1_3_VERSION)) throw Failure("cannot limit TLS to 1.2 and 1.3");
        OpenSsl.SSL_CTX_set_options(ctx, OpenSsl.SSL_OP_NO_COMPRESSION | OpenSsl.SSL_OP_CIPHER_SERVER_PREFERENCE | OpenSsl.SSL_OP_NO_RENEGOTIATION | OpenSsl.SSL_OP_IGNORE_UNEXPECTED_EOF);
        fixed (byte* ciphers = Encoding.ASCII.GetBytes(Tls12Ciphers + "\0"))
        {
            if (OpenSsl.SSL_CTX_set_cipher_list(ctx, ciphers) != 1) throw Failure("cannot set the TLS 1.2 ciphers");
        }
        fixed (byte* suites = Encoding.ASCII.GetBytes(Tls13Suites + "\0"))
        {
            if (OpenSsl.SSL_CTX_set_ciphersuites(ctx, suites) != 1) throw Failure("cannot set the TLS 1.3 cipher suites");
        }
        OpenSsl.SSL_CTX_ctrl(ctx, OpenSsl.SSL_CTRL_MODE,
            (nint)(OpenSsl.SSL_MODE_ENABLE_PARTIAL_WRITE | OpenSsl.SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | OpenSsl.SSL_MODE_RELEASE_BUFFERS), 0);
        // Read ahead: one recv takes what the socket holds, rather than a record header and then its body (two syscalls).
        OpenSsl.SSL_CTX_ctrl(ctx, OpenSsl.SSL_CTRL_SET_READ_AHEAD, 1, 0);
        UseCertificate(ctx, certificate);

        // Session resumption: TLS 1.2 session ids (the server cache) and tickets of both versions, sealed by rotating keys.
        // The id context names the load of the files: sessions from before a reload do not resume after it.
        byte[] context = Encoding.ASCII.GetBytes($"netloop-{load}");
        fixed (byte* id = context)
        {
            if (OpenSsl.SSL_CTX_set_session_id_context(ctx, id, (uint)context.Length) != 1) throw Failure("cannot set the session id context");
        }
        OpenSsl.SSL_CTX_ctrl(ctx, OpenSsl.SSL_CTRL_SET_SESS_CACHE_MODE, (nint)OpenSsl.SSL_SESS_CACHE_SERVER, 0);
        OpenSsl.SSL_CTX_set_timeout(ctx, (long)(TicketKeyRing.RotationMs * 2 / 1000));
        if (OpenSsl.SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, TicketKeyRing.Callback) != 1) throw Failure("cannot install the session-ticket keys");

        OpenSsl.SSL_CTX_callback_ctrl(ctx, OpenSsl.SSL_CTRL_SET_TLSEXT_SERVERNAME_CB, (nint)TlsEndpoint.ServerNameCallback);
        OpenSsl.SSL_CTX_ctrl(ctx, OpenSsl.SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG, 0, endpoint.CallbackArgument);
        if (settings.ApplicationProtocols.Count > 0) OpenSsl.SSL_CTX_set_alpn_select_cb(ctx, TlsEndpoint.AlpnCallback, endpoint.CallbackArgument);

        if (settings.ClientCertificates != TlsClientCertificates.None) RequestClientCertificates(ctx, settings);
    }

    private static void UseCertificate(nint ctx, TlsCertificate certificate)
    {
        nint leaf = ParseCertificate(certificate.LeafDer);
        try
        {
            if (OpenSsl.SSL_CTX_use_certificate(ctx, leaf) != 1) throw Failure($"OpenSSL refused certificate {certificate.Subject}");
        }
        finally
        {
            OpenSsl.X509_free(leaf); // the context took its own reference
        }
        foreach (var der in certificate.ChainDer)
        {
            nint link = ParseCertificate(der);
            // SSL_CTX_add0_chain_cert: the context owns the certificate from here on.
            if (OpenSsl.SSL_CTX_ctrl(ctx, OpenSsl.SSL_CTRL_CHAIN_CERT, 0, link) != 1)
            {
                OpenSsl.X509_free(link);
                throw Failure($"OpenSSL refused a chain certificate of {certificate.Subject}");
            }
        }
        fixed (byte* der = certificate.PrivateKeyPkcs8)
        {
            byte* cursor = der;
            nint key = OpenSsl.d2i_AutoPrivateKey(null, &cursor, certificate.PrivateKeyPkcs8.Length);
            if (key == 0) throw Failure($"OpenSSL cannot read the private key of {certificate.Subject}");
            try
            {
                if (OpenSsl.SSL_CTX_use_PrivateKey(ctx, key) != 1) throw Failure($"OpenSSL refused the private key of {certificate.Subject}");
            }
            finally
            {
                OpenSsl.EVP_PKEY_free(key);
            }
        }
        if (OpenSsl.SSL_CTX_check_private_key(ctx) != 1) throw Failure($"the private key does not match certificate {certificate.Subject}");
    }

    private static void RequestClientCertificates(nint ctx, TlsSettings settings)
    {
        string? caPath = settings.ClientCertificateAuthorityPath;
        if (caPath is null) throw new NetloopException("client certificates need the CA that issues them (--tls-client-ca)");
        if (!File.Exists(caPath)) throw new NetloopException($"TLS client CA file not found: {caPath}");
        fixed (byte* path = Encoding.UTF8.GetBytes(caPath + "\0"))
        {
            if (OpenSsl.SSL_CTX_load_verify_locations(ctx, path, null) != 1) throw Failure($"cannot read the client CA file {caPath}");
            nint names = OpenSsl.SSL_load_client_CA_file(path);
            if (names == 0) throw Failure($"the client CA file {caPath} holds no certificate");
            OpenSsl.SSL_CTX_set_client_CA_list(ctx, names); // the context owns the list
        }
        int mode = OpenSsl.SSL_VERIFY_PEER;
        if (settings.ClientCertificates == TlsClientCertificates.Require) mode |= OpenSsl.SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        OpenSsl.SSL_CTX_set_verify(ctx, mode, 0);
    }

    private static nint ParseCertificate(byte[] der)
    {
        fixed (byte* p = der)
        {
            byte* cursor = p;
            nint x509 = OpenSsl.d2i_X509(null, &cursor, der.Length);
            if (x509 == 0) throw Failure("OpenSSL cannot parse a certificate");
            return x509;
        }
    }

    private static NetloopException Failure(string what)
    {
        string? reason = OpenSsl.TakeError();
        return new NetloopException(reason is null ? $"TLS: {what}" : $"TLS: {what}: {reason}");
    }

    public void Dispose()
    {
        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0) OpenSsl.SSL_CTX_free(handle);
    }
}
