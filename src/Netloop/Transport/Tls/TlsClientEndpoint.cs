using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Netloop.Native;

namespace Netloop.Transport.Tls;

/// <summary>
/// One client loop's side of its TLS connections to one server: makes each connection's <c>SSL</c> (SNI, the name or
/// address the certificate must match, the session to resume), keeps the newest resumable session the server issued,
/// and counts handshakes. Loop thread only, except the counters and <see cref="LastFailure"/>, which others read.
/// </summary>
internal sealed unsafe class TlsClientEndpoint : IDisposable
{
    /// <summary>SSL ex-data slot 0 (<c>SSL_set_app_data</c>): where a connection's <c>SSL</c> points back to its endpoint.</summary>
    private const int AppDataIndex = 0;

    private readonly TlsClientContext _context;
    private readonly byte[]? _serverName;
    private readonly byte[] _verifyName;
    private readonly bool _verifyAddress;
    private GCHandle _self;
    private nint _session;
    private long _handshakes;
    private long _resumed;
    private long _failed;
    private string? _lastFailure;

    /// <param name="context">The run's client context (not owned).</param>
    /// <param name="host">The target's host as typed: a name is sent as SNI and checked against the certificate; an IP address is only checked (SNI carries names only).</param>
    public TlsClientEndpoint(TlsClientContext context, string host)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(host);
        _context = context;
        _verifyAddress = IPAddress.TryParse(host, out var address) && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;
        _verifyName = Encoding.ASCII.GetBytes(host + "\0");
        _serverName = _verifyAddress ? null : _verifyName;
        _self = GCHandle.Alloc(this, GCHandleType.Normal);
    }

    /// <summary>Handshakes completed.</summary>
    public long Handshakes => Volatile.Read(ref _handshakes);

    /// <summary>Handshakes completed by resuming a session.</summary>
    public long Resumed => Volatile.Read(ref _resumed);

    /// <summary>Handshakes that failed.</summary>
    public long Failed => Volatile.Read(ref _failed);

    /// <summary>Why the latest handshake failed (OpenSSL's reason, with the certificate check's when that was it).</summary>
    public string? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>A new client-side <c>SSL</c> on <paramref name="fd"/>; 0 when OpenSSL cannot make one.</summary>
    public nint NewSession(int fd)
    {
        nint ssl = OpenSsl.SSL_new(_context.Handle);
        if (ssl == 0) return 0;
        if (OpenSsl.SSL_set_fd(ssl, fd) != 1 || !Describe(ssl))
        {
            OpenSsl.SSL_free(ssl);
            return 0;
        }
        OpenSsl.SSL_set_connect_state(ssl);
        if (_session != 0) Resume(ssl);
        return ssl;
    }

    /// <summary>
    /// Offers the kept session through a copy: OpenSSL's client marks a TLS 1.3 session used once as spent, and a server
    /// that issues no new ticket on a resumed handshake (OpenSSL's, when the ticket key is current) would then see every
    /// other connection make a full handshake. Servers with stateless tickets take the same ticket again.
    /// </summary>
    private void Resume(nint ssl)
    {
        nint copy = OpenSsl.SSL_SESSION_dup(_session);
        if (copy == 0) return;
        // A session the server no longer takes just means a full handshake.
        _ = OpenSsl.SSL_set_session(ssl, copy);
        OpenSsl.SSL_SESSION_free(copy); // the SSL holds its own reference
    }

    private bool Describe(nint ssl)
    {
        fixed (byte* name = _verifyName)
        {
            if (_serverName is not null && OpenSsl.SSL_ctrl(ssl, OpenSsl.SSL_CTRL_SET_TLSEXT_HOSTNAME, OpenSsl.TLSEXT_NAMETYPE_host_name, (nint)name) != 1) return false;
            if (_context.Settings.Verify)
            {
                int ok = _verifyAddress ? OpenSsl.X509_VERIFY_PARAM_set1_ip_asc(OpenSsl.SSL_get0_param(ssl), name) : OpenSsl.SSL_set1_host(ssl, name);
                if (ok != 1) return false;
            }
        }
        if (_context.Settings.ResumeSessions && OpenSsl.SSL_set_ex_data(ssl, AppDataIndex, GCHandle.ToIntPtr(_self)) != 1) return false;
        return true;
    }

    public void OnHandshakeDone(TlsSession session)
    {
        Volatile.Write(ref _handshakes, _handshakes + 1);
        if (session.IsResumed) Volatile.Write(ref _resumed, _resumed + 1);
    }

    public void OnHandshakeFailed(TlsSession? session, string? reason)
    {
        Volatile.Write(ref _failed, _failed + 1);
        long verify = session?.IsActive == true ? session.VerifyResult : 0;
        if (verify != 0)
        {
            // "certificate verify failed" alone does not say what to fix; the check's own reason does.
            string? check = Marshal.PtrToStringUTF8(OpenSsl.X509_verify_cert_error_string((nint)verify));
            reason = $"the server's certificate was not accepted: {check} ({reason ?? "certificate verify failed"})";
        }
        Volatile.Write(ref _lastFailure, reason ?? "unknown reason");
    }

    /// <summary>OpenSSL's new-session callback: the session goes to the endpoint of the connection that received it.</summary>
    [UnmanagedCallersOnly]
    internal static int OnNewSession(nint ssl, nint session)
    {
        try
        {
            nint self = OpenSsl.SSL_get_ex_data(ssl, AppDataIndex);
            if (self == 0 || GCHandle.FromIntPtr(self).Target is not TlsClientEndpoint endpoint) return 0;
            return endpoint.Keep(session) ? 1 : 0;
        }
        catch
        {
            return 0; // an exception must not cross into OpenSSL; the session is simply not kept
        }
    }

    /// <summary>Keeps <paramref name="session"/> (taking OpenSSL's reference) as the one the next connection resumes.</summary>
    private bool Keep(nint session)
    {
        if (OpenSsl.SSL_SESSION_is_resumable(session) != 1) return false;
        if (_session != 0) OpenSsl.SSL_SESSION_free(_session);
        _session = session;
        return true;
    }

    /// <summary>Frees the kept session; call once the loop has stopped (no connection left to call back).</summary>
    public void Dispose()
    {
        if (_session != 0) OpenSsl.SSL_SESSION_free(_session);
        _session = 0;
        if (_self.IsAllocated) _self.Free();
    }
}
