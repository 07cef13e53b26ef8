using System.Runtime.InteropServices;
using Netloop.Native;

namespace Netloop.Transport.Tls;

/// <summary>What one step of a handshake came to.</summary>
internal enum TlsStep
{
    Done,
    WantRead,
    WantWrite,
    Failed,
}

/// <summary>
/// One connection's OpenSSL <c>SSL</c>, reading and writing the socket itself (non-blocking: OpenSSL says when it would
/// block, and the loop waits for the readiness it asked for). Reads and writes return what <c>recv</c>/<c>send</c>
/// would: bytes, 0 at the peer's close, or minus an errno (EAGAIN to wait, EPROTO for a TLS failure). The object
/// belongs to a <see cref="Connection"/> and is reused with it; the <c>SSL</c> lives from accept to close.
/// </summary>
internal sealed unsafe class TlsSession
{
    private const int EPROTO = 71;
    private nint _ssl;

    public bool IsActive => _ssl != 0;

    /// <summary>Why the handshake failed (OpenSSL's reason), when it did.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>Whether the first byte was looked at (a plaintext HTTP request is answered, not handed to OpenSSL).</summary>
    public bool FirstBytePeeked { get; set; }

    public bool Start(nint ssl)
    {
        _ssl = ssl;
        FailureReason = null;
        FirstBytePeeked = false;
        return ssl != 0;
    }

    public TlsStep Handshake()
    {
        int rc = OpenSsl.SSL_do_handshake(_ssl);
        if (rc == 1) return TlsStep.Done;
        int error = OpenSsl.SSL_get_error(_ssl, rc);
        switch (error)
        {
            case OpenSsl.SSL_ERROR_WANT_READ:
                return TlsStep.WantRead;
            case OpenSsl.SSL_ERROR_WANT_WRITE:
                return TlsStep.WantWrite;
            case OpenSsl.SSL_ERROR_SYSCALL:
                int errno = Marshal.GetLastPInvokeError();
                OpenSsl.ERR_clear_error();
                FailureReason = errno == 0 ? "the peer closed during the handshake" : $"socket error {(Errno)errno}";
                return TlsStep.Failed;
            default:
                FailureReason = OpenSsl.TakeError() ?? $"SSL error {error}";
                return TlsStep.Failed;
        }
    }

    public nint Read(byte* buffer, int length)
    {
        int rc = OpenSsl.SSL_read(_ssl, buffer, length);
        return rc > 0 ? rc : Failure(rc);
    }

    public nint Write(byte* buffer, int length)
    {
        int rc = OpenSsl.SSL_write(_ssl, buffer, length);
        return rc > 0 ? rc : Failure(rc);
    }

    private nint Failure(int rc)
    {
        int error = OpenSsl.SSL_get_error(_ssl, rc);
        switch (error)
        {
            case OpenSsl.SSL_ERROR_WANT_READ:
            case OpenSsl.SSL_ERROR_WANT_WRITE:
                return -(int)Errno.EAGAIN;
            case OpenSsl.SSL_ERROR_ZERO_RETURN:
                return 0; // close_notify, or (SSL_OP_IGNORE_UNEXPECTED_EOF) a plain FIN
            case OpenSsl.SSL_ERROR_SYSCALL:
                int errno = Marshal.GetLastPInvokeError();
                OpenSsl.ERR_clear_error();
                return errno == 0 ? 0 : -errno;
            default:
                FailureReason = OpenSsl.TakeError();
                return -EPROTO;
        }
    }

    /// <summary>The protocol ALPN chose (empty when none was negotiated); valid until the session ends.</summary>
    public ReadOnlySpan<byte> ApplicationProtocol
    {
        get
        {
            byte* data;
            uint length;
            OpenSsl.SSL_get0_alpn_selected(_ssl, &data, &length);
            return data is null ? default : new ReadOnlySpan<byte>(data, (int)length);
        }
    }

    public bool IsResumed => OpenSsl.SSL_session_reused(_ssl) == 1;

    public int Version => OpenSsl.SSL_version(_ssl);

    /// <summary>OpenSSL holds decrypted or read-ahead bytes not yet read.</summary>
    public bool HasPending => OpenSsl.SSL_has_pending(_ssl) == 1;

    /// <summary>The peer certificate check's result (<c>X509_V_OK</c>, 0, when it passed or was not made): for a client's error message.</summary>
    public long VerifyResult => OpenSsl.SSL_get_verify_result(_ssl);

    /// <summary>What a handler may ask of the session; read once, when the handshake completes.</summary>
    public TlsConnectionInfo Describe(bool withClientCertificate)
    {
        string version = Version switch
        {
            OpenSsl.TLS1_3_VERSION => "TLSv1.3",
            OpenSsl.TLS1_2_VERSION => "TLSv1.2",
            var v => $"0x{v:x4}",
        };
        nint cipher = OpenSsl.SSL_get_current_cipher(_ssl);
        string? cipherName = cipher == 0 ? null : Marshal.PtrToStringUTF8(OpenSsl.SSL_CIPHER_get_name(cipher));
        nint serverName = OpenSsl.SSL_get_servername(_ssl, OpenSsl.TLSEXT_NAMETYPE_host_name);
        var alpn = ApplicationProtocol;
        return new TlsConnectionInfo(
            version,
            cipherName ?? "",
            alpn.IsEmpty ? null : System.Text.Encoding.ASCII.GetString(alpn),
            serverName == 0 ? null : Marshal.PtrToStringUTF8(serverName),
            IsResumed,
            withClientCertificate ? PeerCertificate() : null);
    }

    private byte[]? PeerCertificate()
    {
        nint x509 = OpenSsl.SSL_get1_peer_certificate(_ssl);
        if (x509 == 0) return null;
        try
        {
            int length = OpenSsl.i2d_X509(x509, null);
            if (length <= 0) return null;
            var der = new byte[length];
            fixed (byte* p = der)
            {
                byte* cursor = p;
                if (OpenSsl.i2d_X509(x509, &cursor) != length) return null;
            }
            return der;
        }
        finally
        {
            OpenSsl.X509_free(x509);
        }
    }

    /// <summary>Sends close_notify if the socket takes it now (never waits), as a graceful close should.</summary>
    public void SendCloseNotify()
    {
        if (_ssl == 0) return;
        OpenSsl.SSL_shutdown(_ssl);
        OpenSsl.ERR_clear_error();
    }

    /// <summary>Frees the <c>SSL</c> (not the socket: the connection closes that).</summary>
    public void End()
    {
        nint ssl = _ssl;
        _ssl = 0;
        if (ssl != 0) OpenSsl.SSL_free(ssl);
    }
}

/// <summary>
/// What a TLS connection negotiated, as a handler sees it: protocol version, cipher, ALPN, the SNI host name, whether
/// the session was resumed, and the client's certificate (DER) when one was asked for and sent.
/// </summary>
internal sealed record TlsConnectionInfo(string Protocol, string Cipher, string? ApplicationProtocol, string? ServerName, bool Resumed, byte[]? ClientCertificateDer)
{
    private System.Security.Cryptography.X509Certificates.X509Certificate2? _clientCertificate;

    /// <summary>The client's certificate as .NET's type, made on first use.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate =>
        ClientCertificateDer is null ? null
            : _clientCertificate ??= System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(ClientCertificateDer);
}
