using Microsoft.Extensions.Logging;
using Netloop.Native;
using Netloop.Reactor;
using Netloop.Transport.Tls;

namespace Netloop.Transport;

/// <summary>
/// TLS: a connection accepted on a TLS listener first runs its handshake (no protocol yet, bounded by the handshake
/// timeout), then starts the protocol ALPN chose, and from then on reads and writes through OpenSSL instead of
/// recv/send (<see cref="ReadAvailable"/> and <see cref="FlushNow"/> ask <see cref="_tls"/>). A plaintext HTTP request on
/// the TLS port is answered with the listener's reply, not handed to OpenSSL.
/// </summary>
internal sealed unsafe partial class Connection : ITlsConnection
{
    private const byte TlsHandshakeRecord = 0x16;

    /// <summary>The session while the connection speaks TLS; null on plaintext connections (the hot path's test).</summary>
    private TlsSession? _tls;
    private TlsSession? _spareTls;
    private TlsEndpoint? _tlsEndpoint;
    private TlsConnectionInfo? _tlsInfo;

    /// <inheritdoc/>
    public TlsConnectionInfo? Tls => _tlsInfo;

    private bool IsHandshaking => (_state & State.Handshaking) != 0;

    /// <summary>Starts the server side of a handshake on a freshly registered connection.</summary>
    private void StartTls(TlsEndpoint endpoint, int fd)
    {
        var session = _spareTls ?? new TlsSession();
        _spareTls = null;
        _tlsEndpoint = endpoint;
        if (!session.Start(endpoint.NewSession(fd)))
        {
            _spareTls = session;
            _tlsEndpoint = null;
            Interlocked.Increment(ref endpoint.Counters.Failed);
            CloseNow(CloseReason.Error);
            return;
        }
        _tls = session;
        _state |= State.Handshaking;
        _protocolDueMs = _loop.NowMs + endpoint.HandshakeTimeoutMs;
        _loop.Timers.Schedule(this, _protocolDueMs);
    }

    /// <summary>The socket is ready during the handshake: take it as far as it goes now.</summary>
    private void ContinueHandshake()
    {
        var tls = _tls!;
        if (!tls.FirstBytePeeked)
        {
            byte first;
            nint n = Sys.Peek(_fd, &first, 1);
            if (n == -(int)Errno.EAGAIN) return;
            if (n <= 0)
            {
                // Closed or reset before a byte was sent: a port scan or a client that gave up, not a failed handshake.
                CloseNow(n == 0 ? CloseReason.PeerClosed : CloseReason.Reset);
                return;
            }
            tls.FirstBytePeeked = true;
            if (first != TlsHandshakeRecord && first is >= (byte)'A' and <= (byte)'Z')
            {
                AnswerPlaintext();
                return;
            }
        }
        var step = tls.Handshake();
        switch (step)
        {
            case TlsStep.WantRead:
                if ((_state & State.WriteArmed) != 0) DisarmWrite();
                return;
            case TlsStep.WantWrite:
                ArmWrite();
                return;
            case TlsStep.Failed:
                Interlocked.Increment(ref _tlsEndpoint!.Counters.Failed);
                _transport.LogTlsFailure(Id, tls.FailureReason);
                CloseNow(CloseReason.Error);
                return;
        }
        OnHandshakeDone();
    }

    private void OnHandshakeDone()
    {
        var endpoint = _tlsEndpoint!;
        var tls = _tls!;
        _state &= ~State.Handshaking;
        _protocolDueMs = long.MaxValue;
        if ((_state & State.WriteArmed) != 0) DisarmWrite();
        _lastActivityMs = _loop.NowMs;
        var counters = endpoint.Counters;
        Interlocked.Increment(ref counters.Handshakes);
        if (tls.IsResumed) Interlocked.Increment(ref counters.Resumed);
        if (tls.Version == OpenSsl.TLS1_3_VERSION) Interlocked.Increment(ref counters.Tls13);
        else Interlocked.Increment(ref counters.Tls12);
        _tlsInfo = tls.Describe(withClientCertificate: endpoint.Settings.ClientCertificates != TlsClientCertificates.None);

        _inProtocolCall = true;
        try
        {
            _protocol = endpoint.CreateProtocol(this, tls.ApplicationProtocol);
        }
        catch (Exception e)
        {
            FailProtocol(e);
            return;
        }
        _inProtocolCall = false;
        StartProtocol();
        if (!IsOpen) return;
        // The client's first request may have come with its Finished message: OpenSSL holds it, and no new edge will tell.
        _state |= State.ReadPending;
        ReadAvailable();
        if (IsOpen && InFlushList && (_state & State.WriteArmed) == 0) FlushNow();
    }

    /// <summary>A plaintext request on the TLS port: read what it sent (so the close does not reset the reply away), answer, close.</summary>
    private void AnswerPlaintext()
    {
        var endpoint = _tlsEndpoint!;
        Interlocked.Increment(ref endpoint.Counters.Plaintext);
        fixed (byte* scratch = _loop.Scratch)
        {
            for (int i = 0; i < MaxReadsPerEvent && Sys.Receive(_fd, scratch, EventLoop.ScratchSize) > 0; i++)
            {
            }
        }
        var reply = endpoint.Settings.PlaintextReply.Span;
        if (!reply.IsEmpty)
        {
            fixed (byte* p = reply) Sys.Send(_fd, p, reply.Length);
        }
        CloseNow(CloseReason.Local);
    }

    private void OnHandshakeTimeout()
    {
        Interlocked.Increment(ref _tlsEndpoint!.Counters.TimedOut);
        CloseNow(CloseReason.IdleTimeout);
    }

    private void DisarmWrite()
    {
        _state &= ~State.WriteArmed;
        UpdateInterest();
    }

    /// <summary>At close: close_notify when the close is an orderly one, then the <c>SSL</c> is freed.</summary>
    private void EndTls(CloseReason reason, bool handshaking)
    {
        var tls = _tls;
        if (tls is null) return;
        if (!handshaking && reason is CloseReason.Local or CloseReason.Shutdown or CloseReason.IdleTimeout or CloseReason.PeerClosed) tls.SendCloseNotify();
        tls.End();
        _tls = null;
        _spareTls = tls;
        _tlsEndpoint = null;
        _tlsInfo = null;
    }

    /// <summary>One queued file piece under TLS: read into the loop's scratch (no sendfile: the kernel cannot encrypt) and written as records.</summary>
    private bool SendFileChunkTls(FileSegment file)
    {
        int chunk = (int)Math.Min(file.Remaining, TlsFileChunk);
        int read;
        try
        {
            read = RandomAccess.Read(file.File, new Span<byte>(_loop.Scratch, 0, chunk), file.Offset);
        }
        catch (IOException e)
        {
            _transport.LogProtocolError(e, Id);
            CloseNow(CloseReason.Error);
            return false;
        }
        if (read == 0)
        {
            _transport.LogProtocolError(new IOException($"file ended {file.Remaining} bytes early"), Id);
            CloseNow(CloseReason.Error);
            return false;
        }
        nint n;
        fixed (byte* p = _loop.Scratch) n = _tls!.Write(p, read);
        if (!Sent(n, read)) return false;
        file.Offset += n;
        file.Remaining -= n;
        _fileBytesPending -= n;
        if (file.Remaining == 0) _files!.Dequeue().File.Dispose();
        return true;
    }

    /// <summary>A TLS record's worth of plaintext: what one SSL_write of a file piece carries.</summary>
    private const int TlsFileChunk = 16 * 1024;
}

/// <summary>A connection that may speak TLS: what the HTTP layer reads to fill <c>IsHttps</c> and the client certificate.</summary>
internal interface ITlsConnection
{
    /// <summary>What the handshake negotiated; null on a plaintext connection (or before the handshake ends).</summary>
    TlsConnectionInfo? Tls { get; }
}
