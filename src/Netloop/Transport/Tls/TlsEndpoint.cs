using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Netloop.Native;

namespace Netloop.Transport.Tls;

/// <summary>
/// One TLS listener's side of every handshake, shared by its loops: the certificates in use (swapped whole on reload,
/// so new handshakes take the new ones and established connections keep theirs), the ALPN and SNI callbacks OpenSSL
/// calls during a handshake, the protocol each finished handshake gets, and the counters. Made once at start, freed at
/// stop after the loops have ended.
/// </summary>
internal sealed unsafe class TlsEndpoint : IDisposable
{
    private readonly GCHandle _self;
    private readonly byte* _alpnWire;
    private readonly int _alpnWireLength;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private TlsCertificateSet _certificates;
    private bool _disposed;

    public TlsEndpoint(TlsSettings settings, IConnectionProtocolFactory protocols, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Certificates.Count == 0) throw new NetloopException("TLS needs a certificate (--tls-cert)");
        Settings = settings;
        Protocols = protocols;
        _logger = logger;
        TicketKeyRing.RequestRotation(settings.TicketKeyRotation);
        _self = GCHandle.Alloc(this, GCHandleType.Normal);
        (nint wire, _alpnWireLength) = EncodeAlpn(settings.ApplicationProtocols);
        _alpnWire = (byte*)wire;
        try
        {
            _certificates = TlsCertificateSet.Load(settings, this);
        }
        catch
        {
            FreeNative();
            throw;
        }
    }

    public TlsSettings Settings { get; }

    public IConnectionProtocolFactory Protocols { get; }

    public TlsCounters Counters { get; } = new();

    public long HandshakeTimeoutMs => (long)Settings.HandshakeTimeout.TotalMilliseconds;

    private int _loads;

    /// <summary>
    /// Which load of the certificate files a context belongs to (its session id context): a session from before a
    /// reload does not resume after it, so every client sees the new certificate at once (a certificate replaced because
    /// its key leaked must not live on in tickets).
    /// </summary>
    public int NextLoad() => Interlocked.Increment(ref _loads);

    /// <summary>What OpenSSL hands back to the callbacks: this endpoint.</summary>
    public nint CallbackArgument => GCHandle.ToIntPtr(_self);

    /// <summary>The certificates new handshakes use.</summary>
    public TlsCertificateSet Certificates => Volatile.Read(ref _certificates);

    /// <summary>Every file the certificates were read from, for the reload watcher.</summary>
    public IEnumerable<string> WatchedFiles
    {
        get
        {
            foreach (var source in Settings.Certificates)
            {
                yield return source.CertificatePath;
                if (source.KeyPath is not null) yield return source.KeyPath;
            }
        }
    }

    /// <summary>A new server-side <c>SSL</c> on <paramref name="fd"/>, with the default certificate (SNI may switch it); 0 when OpenSSL is out of memory.</summary>
    public nint NewSession(int fd)
    {
        nint ssl = OpenSsl.SSL_new(Certificates.Default.Handle);
        if (ssl == 0) return 0;
        if (OpenSsl.SSL_set_fd(ssl, fd) != 1)
        {
            OpenSsl.SSL_free(ssl);
            return 0;
        }
        OpenSsl.SSL_set_accept_state(ssl);
        return ssl;
    }

    /// <summary>The protocol a finished handshake starts: chosen by ALPN when the factory serves several.</summary>
    public IConnectionProtocol CreateProtocol(IConnection connection, ReadOnlySpan<byte> alpn) =>
        Protocols is IAlpnProtocolFactory alpnFactory ? alpnFactory.CreateForAlpn(connection, alpn) : Protocols.Create();

    /// <summary>
    /// Reads the certificate files again. On success new handshakes use them and true is returned; on failure the
    /// current certificates stay and the reason is logged in one line.
    /// </summary>
    public bool Reload(string why)
    {
        TlsCertificateSet fresh;
        try
        {
            fresh = TlsCertificateSet.Load(Settings, this);
        }
        catch (NetloopException e)
        {
            Interlocked.Increment(ref Counters.ReloadFailures);
            _logger.LogError("TLS certificate reload ({Why}) failed, keeping the current certificate: {Reason}", why, e.Message);
            return false;
        }
        TlsCertificateSet old;
        lock (_gate)
        {
            if (_disposed)
            {
                fresh.Dispose();
                return false;
            }
            old = Interlocked.Exchange(ref _certificates, fresh);
        }
        // Connections made from the old contexts hold their own references: freeing ours ends nothing.
        old.Dispose();
        Interlocked.Increment(ref Counters.Reloads);
        _logger.LogInformation("TLS certificate reloaded ({Why}): {Subject}, serial {Serial}, expires {NotAfter:yyyy-MM-dd}",
            why, fresh.Default.Certificate.Subject, fresh.Default.Certificate.SerialNumber, fresh.Default.Certificate.NotAfter);
        return true;
    }

    public static delegate* unmanaged<nint, int*, nint, int> ServerNameCallback => &OnServerName;

    public static delegate* unmanaged<nint, byte**, byte*, byte*, uint, nint, int> AlpnCallback => &OnSelectAlpn;

    /// <summary>SNI: switch the handshake to the certificate for the host name the client asked for, if there is one.</summary>
    [UnmanagedCallersOnly]
    private static int OnServerName(nint ssl, int* alert, nint argument)
    {
        try
        {
            nint name = OpenSsl.SSL_get_servername(ssl, OpenSsl.TLSEXT_NAMETYPE_host_name);
            if (name == 0) return OpenSsl.SSL_TLSEXT_ERR_OK;
            var endpoint = (TlsEndpoint)GCHandle.FromIntPtr(argument).Target!;
            var context = endpoint.Certificates.Find(new ReadOnlySpan<byte>((byte*)name, Strlen((byte*)name)));
            if (context is not null && context.Handle != OpenSsl.SSL_get_SSL_CTX(ssl)) OpenSsl.SSL_set_SSL_CTX(ssl, context.Handle);
            return OpenSsl.SSL_TLSEXT_ERR_OK;
        }
        catch
        {
            return OpenSsl.SSL_TLSEXT_ERR_OK; // the default certificate
        }
    }

    /// <summary>ALPN: the first of the server's protocols the client also offers; none in common is a fatal alert (RFC 7301 §3.2).</summary>
    [UnmanagedCallersOnly]
    private static int OnSelectAlpn(nint ssl, byte** selected, byte* selectedLength, byte* offered, uint offeredLength, nint argument)
    {
        try
        {
            var endpoint = (TlsEndpoint)GCHandle.FromIntPtr(argument).Target!;
            // The server's order wins: walk its list and take the first the client offered.
            var server = new ReadOnlySpan<byte>(endpoint._alpnWire, endpoint._alpnWireLength);
            var client = new ReadOnlySpan<byte>(offered, (int)offeredLength);
            int offset = 0;
            while (offset < server.Length)
            {
                int length = server[offset];
                var name = server.Slice(offset + 1, length);
                if (Offers(client, name))
                {
                    *selected = endpoint._alpnWire + offset + 1;
                    *selectedLength = (byte)length;
                    return OpenSsl.SSL_TLSEXT_ERR_OK;
                }
                offset += 1 + length;
            }
            return SslTlsextErrAlertFatal;
        }
        catch
        {
            return SslTlsextErrAlertFatal;
        }
    }

    private const int SslTlsextErrAlertFatal = 2;

    private static bool Offers(ReadOnlySpan<byte> wire, ReadOnlySpan<byte> name)
    {
        int offset = 0;
        while (offset < wire.Length)
        {
            int length = wire[offset];
            if (offset + 1 + length > wire.Length) return false;
            if (wire.Slice(offset + 1, length).SequenceEqual(name)) return true;
            offset += 1 + length;
        }
        return false;
    }

    private static int Strlen(byte* text)
    {
        int n = 0;
        while (n < 256 && text[n] != 0) n++;
        return n;
    }

    private static (nint, int) EncodeAlpn(IReadOnlyList<string> protocols)
    {
        var wire = new List<byte>();
        foreach (var protocol in protocols)
        {
            var name = Encoding.ASCII.GetBytes(protocol);
            if (name.Length is 0 or > 255) throw new ArgumentException($"ALPN name '{protocol}' must be 1-255 bytes");
            wire.Add((byte)name.Length);
            wire.AddRange(name);
        }
        if (wire.Count == 0) return (0, 0);
        // Native memory: OpenSSL keeps a pointer into the list after the callback returns.
        var native = (byte*)NativeMemory.Alloc((nuint)wire.Count);
        wire.ToArray().CopyTo(new Span<byte>(native, wire.Count));
        return ((nint)native, wire.Count);
    }

    private void FreeNative()
    {
        if (_alpnWire is not null) NativeMemory.Free(_alpnWire);
        if (_self.IsAllocated) _self.Free();
    }

    /// <summary>Frees the contexts and the callback handle; call once no loop runs (handshakes in flight would call back).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        Volatile.Read(ref _certificates).Dispose();
        FreeNative();
    }
}
