using System.Text;
using Netloop.Native;

namespace Netloop.Transport.Tls;

/// <summary>How a client (<c>netloop load</c>) speaks TLS: what it trusts, and the protocols it offers by ALPN.</summary>
internal sealed record TlsClientSettings
{
    /// <summary>Check the server's certificate chain and its name (default); off for self-signed test certificates (<c>--insecure</c>).</summary>
    public bool Verify { get; init; } = true;

    /// <summary>A PEM file of the CAs to trust instead of the system's (<c>--cacert</c>); null for the system store.</summary>
    public string? CertificateAuthorityPath { get; init; }

    /// <summary>ALPN names offered, most wanted first (<c>http/1.1</c>, <c>h2</c>); empty offers none.</summary>
    public IReadOnlyList<string> ApplicationProtocols { get; init; } = [];

    /// <summary>Keep the sessions servers issue so later connections can resume them (<see cref="TlsClientEndpoint"/> holds one per loop).</summary>
    public bool ResumeSessions { get; init; }
}

/// <summary>
/// The client's OpenSSL <c>SSL_CTX</c>, shared by every loop of a run (OpenSSL contexts are thread-safe once set up):
/// TLS 1.2 and 1.3, peer verification against the system CAs or a given file (or none), the ALPN offer, and, when
/// sessions are resumed, the callback that hands each new session to the loop that made it. Record buffers are released
/// while a connection is idle, as on the server, so ten thousand idle client connections stay small too.
/// </summary>
internal sealed unsafe class TlsClientContext : IDisposable
{
    private nint _handle;

    private TlsClientContext(nint handle, TlsClientSettings settings)
    {
        _handle = handle;
        Settings = settings;
    }

    public nint Handle => _handle;

    public TlsClientSettings Settings { get; }

    /// <summary>Makes the context; throws <see cref="NetloopException"/> with a one-line reason (an unreadable CA file, say).</summary>
    public static TlsClientContext Create(TlsClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        OpenSsl.ERR_clear_error();
        nint ctx = OpenSsl.SSL_CTX_new(OpenSsl.TLS_client_method());
        if (ctx == 0) throw Failure("cannot create an OpenSSL context");
        try
        {
            Configure(ctx, settings);
            return new TlsClientContext(ctx, settings);
        }
        catch
        {
            OpenSsl.SSL_CTX_free(ctx);
            throw;
        }
    }

    private static void Configure(nint ctx, TlsClientSettings settings)
    {
        if (!OpenSsl.SetProtocolRange(ctx, OpenSsl.TLS1_2_VERSION, OpenSsl.TLS1_3_VERSION)) throw Failure("cannot limit TLS to 1.2 and 1.3");
        // A server's FIN without close_notify reads as an orderly end (0), as the connection's reader expects.
        OpenSsl.SSL_CTX_set_options(ctx, OpenSsl.SSL_OP_NO_COMPRESSION | OpenSsl.SSL_OP_NO_RENEGOTIATION | OpenSsl.SSL_OP_IGNORE_UNEXPECTED_EOF);
        // The connection writes from pooled blocks that may move between a partial write and its retry.
        OpenSsl.SSL_CTX_ctrl(ctx, OpenSsl.SSL_CTRL_MODE,
            (nint)(OpenSsl.SSL_MODE_ENABLE_PARTIAL_WRITE | OpenSsl.SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | OpenSsl.SSL_MODE_RELEASE_BUFFERS), 0);
        OpenSsl.SSL_CTX_ctrl(ctx, OpenSsl.SSL_CTRL_SET_READ_AHEAD, 1, 0);

        if (settings.Verify)
        {
            if (settings.CertificateAuthorityPath is { } caPath)
            {
                if (!File.Exists(caPath)) throw new NetloopException($"TLS: CA file not found: {caPath}");
                fixed (byte* path = Encoding.UTF8.GetBytes(caPath + "\0"))
                {
                    if (OpenSsl.SSL_CTX_load_verify_locations(ctx, path, null) != 1) throw Failure($"cannot read the CA file {caPath}");
                }
            }
            else if (OpenSsl.SSL_CTX_set_default_verify_paths(ctx) != 1)
            {
                throw Failure("cannot load the system's CA certificates");
            }
            OpenSsl.SSL_CTX_set_verify(ctx, OpenSsl.SSL_VERIFY_PEER, 0);
        }
        else
        {
            OpenSsl.SSL_CTX_set_verify(ctx, OpenSsl.SSL_VERIFY_NONE, 0);
        }

        if (settings.ApplicationProtocols.Count > 0)
        {
            var wire = EncodeAlpn(settings.ApplicationProtocols);
            fixed (byte* p = wire)
            {
                // Unlike most of OpenSSL, 0 is success here.
                if (OpenSsl.SSL_CTX_set_alpn_protos(ctx, p, (uint)wire.Length) != 0) throw Failure("cannot set the ALPN offer");
            }
        }

        if (settings.ResumeSessions)
        {
            // Sessions go to the callback (and from there to the loop's endpoint), not to OpenSSL's own client cache.
            OpenSsl.SSL_CTX_ctrl(ctx, OpenSsl.SSL_CTRL_SET_SESS_CACHE_MODE, (nint)(OpenSsl.SSL_SESS_CACHE_CLIENT | OpenSsl.SSL_SESS_CACHE_NO_INTERNAL_STORE), 0);
            OpenSsl.SSL_CTX_sess_set_new_cb(ctx, &TlsClientEndpoint.OnNewSession);
        }
    }

    private static byte[] EncodeAlpn(IReadOnlyList<string> protocols)
    {
        var wire = new List<byte>();
        foreach (var protocol in protocols)
        {
            var name = Encoding.ASCII.GetBytes(protocol);
            if (name.Length is 0 or > 255) throw new ArgumentException($"ALPN name '{protocol}' must be 1-255 bytes");
            wire.Add((byte)name.Length);
            wire.AddRange(name);
        }
        return [.. wire];
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
