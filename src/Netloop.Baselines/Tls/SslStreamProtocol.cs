using System.Net.Security;
using Microsoft.Extensions.Logging;
using Netloop.Transport;

namespace Netloop.Baselines.Tls;

/// <summary>
/// One TLS connection under <see cref="SslStreamProtocolFactory"/>: ciphertext from the transport goes through
/// <see cref="CiphertextStream"/> into <see cref="SslStream"/>, which the handshake and then the plaintext pump
/// (<c>SslStreamProtocol.Pump.cs</c>) drive, every step inline on the loop thread. The plaintext protocol runs on
/// <see cref="PlaintextConnection"/>, whose output is encrypted into the transport's output after each call into it.
/// This file is the lifecycle: handshake, timer, transport events, close.
/// </summary>
// Disposed in OnClosed, the end of a connection's life, which the transport always calls.
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "SslStream is disposed in OnClosed")]
internal sealed partial class SslStreamProtocol : IConnectionProtocol, IGracefulShutdown, IIdleTimeoutAware, IOutputDrainedListener
{
    private readonly SslStreamProtocolFactory _factory;
    private IConnection _transport = null!;
    private CiphertextStream _ciphertext = null!;
    private SslStream _ssl = null!;
    private PlaintextConnection _plaintext = null!;
    private IConnectionProtocol? _inner;
    private bool _established;
    private bool _closed;

    // Calls from the transport in progress: an abort asked for inside one (deep in SslStream's stack) waits for its end.
    private int _transportCallDepth;
    private bool _abortRequested;

    public SslStreamProtocol(SslStreamProtocolFactory factory) => _factory = factory;

    /// <summary>The protocol speaking plaintext, once the handshake is done.</summary>
    internal IConnectionProtocol? Inner { get => _inner; set => _inner = value; }

    internal IConnection Transport => _transport;

    internal SslStream Ssl => _ssl;

    internal bool IsClosed => _closed;

    public void OnConnected(IConnection connection)
    {
        _transport = connection;
        _ciphertext = new CiphertextStream(connection);
        _ssl = new SslStream(_ciphertext, leaveInnerStreamOpen: true);
        _plaintext = new PlaintextConnection(this);
        connection.SetTimer(_factory.HandshakeTimeout);
        Enter();
        try
        {
            _ = RunAsync();
        }
        finally
        {
            Leave();
        }
    }

    public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
    {
        Enter();
        try
        {
            int taken = _ciphertext.Offer(data);
            // Nobody reads (the plaintext protocol suspended its input): keep the rest in the transport, unread.
            if (taken < data.Length && !_closed) connection.SuspendInput();
            return taken;
        }
        finally
        {
            Leave();
        }
    }

    public void OnInputCompleted(IConnection connection)
    {
        Enter();
        try
        {
            _ciphertext.End();
        }
        finally
        {
            Leave();
        }
    }

    public void OnTimer(IConnection connection)
    {
        if (!_established)
        {
            Interlocked.Increment(ref _factory.FailedHandshakeCount);
            connection.Abort();
            return;
        }
        Enter();
        try
        {
            _inner?.OnTimer(_plaintext);
        }
        finally
        {
            LeaveInner();
        }
    }

    public void OnClosed(IConnection connection, CloseReason reason)
    {
        if (_closed) return;
        _closed = true;
        // Ends a pending read first, so the handshake or the pump unwinds and SslStream gives back its read buffer.
        _ciphertext?.Detach();
        var inner = _inner;
        _inner = null;
        try
        {
            if (inner is not null) inner.OnClosed(_plaintext, reason);
        }
        finally
        {
            _ssl?.Dispose();
            _plaintext?.Release();
            ReleaseInput();
        }
    }

    public bool BeginShutdown(IConnection connection)
    {
        if (!_established || _inner is not IGracefulShutdown graceful) return false;
        Enter();
        try
        {
            return graceful.BeginShutdown(_plaintext);
        }
        finally
        {
            LeaveInner();
        }
    }

    public void OnDrainGraceElapsed(IConnection connection)
    {
        if (!_established || _inner is not IGracefulShutdown graceful) return;
        Enter();
        try
        {
            graceful.OnDrainGraceElapsed(_plaintext);
        }
        finally
        {
            LeaveInner();
        }
    }

    public bool IsBusy => _inner is IIdleTimeoutAware { IsBusy: true };

    public void OnIdleTimeout(IConnection connection)
    {
        if (_inner is not IIdleTimeoutAware aware) return;
        Enter();
        try
        {
            aware.OnIdleTimeout(_plaintext);
        }
        finally
        {
            LeaveInner();
        }
    }

    public void OnOutputDrained(IConnection connection)
    {
        if (_inner is not IOutputDrainedListener listener) return;
        Enter();
        try
        {
            listener.OnOutputDrained(_plaintext);
        }
        finally
        {
            LeaveInner();
        }
    }

    /// <summary>Closes the transport connection at once; inside a transport call, at its end.</summary>
    internal void RequestAbort()
    {
        if (_closed) return;
        if (_transportCallDepth > 0) _abortRequested = true;
        else _transport.Abort();
    }

    private async Task RunAsync()
    {
        try
        {
            await _ssl.AuthenticateAsServerAsync(_factory.Options, CancellationToken.None).ConfigureAwait(false);
            if (_closed) return;
            _established = true;
            Interlocked.Increment(ref _factory.HandshakeCount);
            _transport.SetTimer(null);
            Enter();
            try
            {
                _inner = _factory.CreateInner(_plaintext, _ssl.NegotiatedApplicationProtocol.Protocol.Span);
            }
            finally
            {
                LeaveInner();
            }
        }
        catch (Exception e)
        {
            if (_closed) return;
            Interlocked.Increment(ref _factory.FailedHandshakeCount);
            _factory.Logger.LogDebug("connection {Id}: TLS handshake failed: {Message}", _transport.Id, e.Message);
            RequestAbort();
            return;
        }
        await PumpAsync().ConfigureAwait(false);
    }

    private void Enter() => _transportCallDepth++;

    /// <summary>Ends a call into the plaintext protocol: what it wrote is encrypted into the transport's output.</summary>
    private void LeaveInner()
    {
        try
        {
            _plaintext.EncryptOutput();
        }
        finally
        {
            Leave();
        }
    }

    private void Leave()
    {
        if (--_transportCallDepth > 0 || !_abortRequested) return;
        _abortRequested = false;
        if (!_closed) _transport.Abort();
    }
}
