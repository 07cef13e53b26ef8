using System.Buffers;
using System.Net;
using Netloop.Buffers;
using Netloop.Native;
using Netloop.Protocols;
using Netloop.Reactor;
using Netloop.Transport.Tls;

namespace Netloop.Transport;

/// <summary>
/// One accepted socket on a reactor loop: its fd, the bytes its protocol has not consumed, the bytes not yet sent,
/// and the small state machine between them (reading, suspended, paused by backpressure, waiting for EPOLLOUT, closing).
/// Every method runs on the loop thread except <see cref="Post"/>. The object is reused for later connections of the
/// same loop. Split by concern: this file is the lifecycle, <c>Connection.Input.cs</c> reading, <c>Connection.Output.cs</c>
/// sending, <c>Connection.Timers.cs</c> the idle and protocol timers, <c>Connection.Drain.cs</c> the graceful stop.
/// </summary>
internal sealed unsafe partial class Connection : LoopHandle, IConnection, IDrainingConnection, PerIp.IRequestAdmission
{
    private static long s_nextId;

    private readonly LoopTransport _transport;
    private readonly EventLoop _loop;
    private readonly BufferChain _output;
    private readonly InputBuffer _input;
    private IConnectionProtocol _protocol = null!;
    private int _fd = -1;
    private State _state;
    private IPEndPoint? _remote;
    private bool _inProtocolCall;

    [Flags]
    private enum State
    {
        None = 0,
        Open = 1,
        InputCompleted = 2,
        Closing = 4,
        WriteArmed = 8,
        ReadPaused = 16,
        ReadPending = 32,
        InputSuspended = 64,
        Redeliver = 128,
        Connecting = 256,
        HangupSeen = 512,
        Handshaking = 1024,
        Draining = 2048,
    }

    public Connection(LoopTransport transport)
    {
        _transport = transport;
        _loop = transport.Loop;
        _output = new BufferChain(_loop.Pool);
        _input = new InputBuffer(_loop.Pool);
    }

    public long Id { get; private set; }

    /// <summary>The loop the connection runs on.</summary>
    internal EventLoop Loop => _loop;

    /// <inheritdoc/>
    public LoopClock Clock => _loop.Clock;

    public IPEndPoint? RemoteEndPoint
    {
        get
        {
            if (_remote is null && _fd >= 0 && Sys.GetPeerName(_fd, out var address) == 0) _remote = address.ToEndPoint();
            return _remote;
        }
    }

    public IBufferWriter<byte> Output => _output;

    public bool IsOpen => (_state & State.Open) != 0;

    /// <summary>
    /// Takes ownership of the accepted <paramref name="fd"/> and starts serving it with <paramref name="protocol"/>, or,
    /// on a TLS listener (<paramref name="tls"/>), starts the handshake; the protocol then comes from the endpoint.
    /// </summary>
    public bool Start(int fd, IConnectionProtocol protocol, TlsEndpoint? tls = null, PerIp.AddressEntry? address = null)
    {
        _fd = fd;
        _state = State.Open | State.ReadPending;
        _remote = null;
        Id = Interlocked.Increment(ref s_nextId);
        _lastActivityMs = _loop.NowMs;
        _protocolDueMs = long.MaxValue;
        _drainDueMs = long.MaxValue;
        var interest = _loop.IsEdgeTriggered ? Interest.Read | Interest.EdgeTriggered : Interest.Read;
        int rc = _loop.Register(this, fd, interest);
        if (rc < 0)
        {
            _state = State.None;
            _fd = -1;
            Sys.Close(fd);
            return false;
        }
        ScheduleIdleTimer();
        _address = address;
        _refusedInRow = 0;
        _protocol = protocol;
        if (tls is not null) StartTls(tls, fd);
        else StartProtocol();
        return true;
    }

    /// <summary>Tells the protocol the connection is up, and sends what it wrote in reply.</summary>
    private void StartProtocol()
    {
        _inProtocolCall = true;
        try
        {
            _protocol.OnConnected(this);
        }
        catch (Exception e)
        {
            FailProtocol(e);
            return;
        }
        _inProtocolCall = false;
        // A TLS connection whose handshake ends during a stop: its protocol drains from its first byte.
        if (IsDraining)
        {
            DrainProtocol();
            if (!IsOpen) return;
        }
        if (HasPendingOutput) _loop.ScheduleFlush(this);
    }

    internal override void OnReady(Readiness readiness)
    {
        if (!IsOpen) return;
        if (IsConnecting)
        {
            CompleteConnect();
            // Still connecting: a TLS handshake under way (Connection.TlsClient.cs) waits for its next readiness.
            if (!IsOpen || IsConnecting || (readiness & Readiness.Readable) == 0) return;
        }
        if (IsHandshaking)
        {
            ContinueHandshake();
            return;
        }
        if ((readiness & Readiness.Error) != 0 && (_state & State.InputSuspended) != 0)
        {
            // The peer reset the connection while the protocol was not reading (a handler at work): nothing can be read
            // or sent any more, and the protocol must hear of it now (HttpContext.RequestAborted), not at its next write.
            CloseNow(CloseReason.Reset);
            return;
        }
        if ((readiness & Readiness.Writable) != 0 && (_state & State.WriteArmed) != 0)
        {
            FlushNow();
            if (!IsOpen) return;
        }
        if ((readiness & (Readiness.Readable | Readiness.Hangup | Readiness.Error)) != 0)
        {
            _state |= State.ReadPending;
            // The peer's FIN is queued behind the data: read on to the EOF, as no new edge will announce it.
            if ((readiness & (Readiness.Hangup | Readiness.Error)) != 0) _state |= State.HangupSeen;
            ReadAvailable();
            // Answer now rather than at the end of the iteration: the block the reply sits in goes straight back to the
            // pool and is the next connection's, still in cache. Deferred to the flush phase, a batch of 512 readable
            // connections held 512 blocks at once, and the pool kept them all (8 MB of RSS for 10k idle connections).
            // Output written later in the iteration (posted work, timers) still goes out in the flush phase.
            if (InFlushList && (_state & State.WriteArmed) == 0) FlushNow();
        }
    }

    public void Post(Action<object?> work, object? state) => _loop.Post(work, state, this);

    public void Close()
    {
        if (!IsOpen) return;
        _state |= State.Closing;
        if (!HasPendingOutput && !_inProtocolCall) CloseNow(CloseReason.Local);
        else _loop.ScheduleFlush(this);
    }

    public void Abort() => CloseNow(CloseReason.Local);

    public void SwitchProtocol(IConnectionProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        if (IsOpen) _protocol = protocol;
    }

    /// <summary>A protocol call threw (or broke its contract): log it and drop the connection; the loop goes on.</summary>
    private void FailProtocol(Exception e)
    {
        _inProtocolCall = false;
        _transport.LogProtocolError(e, Id);
        CloseNow(CloseReason.Error);
    }

    /// <summary>Tells the poller what the connection waits for now; only level-triggered pollers need read changes.</summary>
    private void UpdateInterest()
    {
        Interest interest;
        if (_loop.IsEdgeTriggered)
        {
            interest = Interest.Read | Interest.EdgeTriggered;
        }
        else
        {
            bool reading = (_state & (State.ReadPaused | State.InputCompleted | State.Closing | State.InputSuspended)) == 0;
            interest = reading ? Interest.Read : Interest.None;
        }
        if ((_state & State.WriteArmed) != 0) interest |= Interest.Write;
        int rc = _loop.ChangeInterest(this, _fd, interest);
        if (rc < 0) CloseNow(CloseReason.Error);
    }

    /// <summary>Closes the fd and returns every buffer and file; safe to call twice.</summary>
    public void CloseNow(CloseReason reason)
    {
        if (!IsOpen) return;
        bool handshaking = IsHandshaking;
        EndTls(reason, handshaking);
        _state = State.None;
        _loop.Unregister(this, _fd, fdStaysOpen: false);
        Sys.Close(_fd);
        _fd = -1;
        ClearOutput();
        _input.Clear();
        var protocol = _protocol;
        _protocol = null!;
        try
        {
            // A connection closed during its TLS handshake never started its protocol.
            if (!handshaking) protocol.OnClosed(this, reason);
        }
        catch (Exception e)
        {
            _transport.LogProtocolError(e, Id);
        }
        _transport.OnConnectionClosed(this, reason);
    }
}
