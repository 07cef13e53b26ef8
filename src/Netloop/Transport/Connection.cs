using System.Buffers;
using System.Net;
using Netloop.Buffers;
using Netloop.Native;
using Netloop.Protocols;
using Netloop.Reactor;

namespace Netloop.Transport;

/// <summary>
/// One accepted socket on a reactor loop: its fd, the bytes its protocol has not consumed, the bytes not yet sent,
/// and the small state machine between them (reading, paused by backpressure, waiting for EPOLLOUT, closing).
/// Every method runs on the loop thread. The object is reused for later connections of the same loop.
/// </summary>
internal sealed unsafe class Connection : LoopHandle, IConnection
{
    private const int MaxReadsPerEvent = 16;
    private const int MaxVectors = 64;
    private const int MinReceiveSpace = 4096;

    private static long s_nextId;

    private readonly LoopTransport _transport;
    private readonly EventLoop _loop;
    private readonly BufferChain _output;
    private readonly InputBuffer _input;
    private IConnectionProtocol _protocol = null!;
    private int _fd = -1;
    private State _state;
    private long _lastActivityMs;
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
    }

    public Connection(LoopTransport transport)
    {
        _transport = transport;
        _loop = transport.Loop;
        _output = new BufferChain(_loop.Pool);
        _input = new InputBuffer(_loop.Pool);
    }

    public long Id { get; private set; }

    public IPEndPoint? RemoteEndPoint
    {
        get
        {
            if (_remote is null && _fd >= 0 && Sys.GetPeerName(_fd, out var address) == 0) _remote = address.ToEndPoint();
            return _remote;
        }
    }

    public IBufferWriter<byte> Output => _output;

    public long PendingOutputBytes => _output.Length;

    public bool IsOpen => (_state & State.Open) != 0;

    public bool HasPendingOutput => !_output.IsEmpty;

    /// <summary>Takes ownership of <paramref name="fd"/> and starts serving it.</summary>
    public bool Start(int fd)
    {
        _fd = fd;
        _state = State.Open | State.ReadPending;
        _remote = null;
        Id = Interlocked.Increment(ref s_nextId);
        _lastActivityMs = _loop.NowMs;
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
        _protocol = _transport.Protocols.Create();
        _inProtocolCall = true;
        try
        {
            _protocol.OnConnected(this);
        }
        catch (Exception e)
        {
            FailProtocol(e);
            return true;
        }
        _inProtocolCall = false;
        if (!_output.IsEmpty) _loop.ScheduleFlush(this);
        return true;
    }

    internal override void OnReady(Readiness readiness)
    {
        if (!IsOpen) return;
        if ((readiness & Readiness.Writable) != 0 && (_state & State.WriteArmed) != 0)
        {
            FlushNow();
            if (!IsOpen) return;
        }
        if ((readiness & (Readiness.Readable | Readiness.Hangup | Readiness.Error)) != 0)
        {
            _state |= State.ReadPending;
            ReadAvailable();
        }
    }

    internal override void OnFlush()
    {
        if (IsOpen && (_state & State.WriteArmed) == 0) FlushNow();
    }

    protected internal override void OnTimer(long nowMs)
    {
        if (!IsOpen) return;
        long idleMs = _transport.IdleTimeoutMs;
        if (idleMs <= 0) return;
        long dueMs = _lastActivityMs + idleMs;
        if (dueMs <= nowMs) CloseNow(CloseReason.IdleTimeout);
        else _loop.Timers.Schedule(this, dueMs);
    }

    public void Flush()
    {
        if (IsOpen && !_inProtocolCall && !_output.IsEmpty) _loop.ScheduleFlush(this);
    }

    public void Close()
    {
        if (!IsOpen) return;
        _state |= State.Closing;
        if (_output.IsEmpty && !_inProtocolCall) CloseNow(CloseReason.Local);
        else _loop.ScheduleFlush(this);
    }

    public void Abort() => CloseNow(CloseReason.Local);

    /// <summary>Shutdown: stop reading; close now when nothing waits to be sent, or once it is sent.</summary>
    public void BeginShutdown()
    {
        if (!IsOpen) return;
        if (_output.IsEmpty) CloseNow(CloseReason.Shutdown);
        else _state |= State.Closing;
    }

    private void ReadAvailable()
    {
        for (int reads = 0; ; reads++)
        {
            if ((_state & (State.Closing | State.InputCompleted)) != 0 || !IsOpen) return;
            if (_output.Length >= _transport.HighWaterMark && !RelieveBackpressure()) return;
            if (reads == MaxReadsPerEvent)
            {
                // Fairness: let the loop serve others, and come back without waiting for a new edge.
                _loop.ScheduleReady(this);
                return;
            }

            nint n;
            int requested;
            bool intoInput = !_input.IsEmpty;
            if (intoInput)
            {
                if (!_input.EnsureFree(MinReceiveSpace))
                {
                    _transport.LogInputOverflow(Id);
                    CloseNow(CloseReason.Error);
                    return;
                }
                var block = _input.Block!;
                requested = block.Free;
                n = Sys.Receive(_fd, block.Address + block.End, requested);
            }
            else
            {
                requested = EventLoop.ScratchSize;
                fixed (byte* p = _loop.Scratch) n = Sys.Receive(_fd, p, requested);
            }

            if (n > 0)
            {
                _lastActivityMs = _loop.NowMs;
                _transport.Counters.BytesReceived += n;
                if (intoInput) _input.Commit((int)n);
                Deliver(intoInput, (int)n);
                // Linux fills a stream recv as far as it can: a short read means the socket was drained, and with
                // edge triggering the next arrival raises a new edge. This saves the EAGAIN read per request.
                if (n < requested)
                {
                    _state &= ~State.ReadPending;
                    return;
                }
                continue;
            }
            if (n == 0)
            {
                OnPeerFinished();
                return;
            }
            var errno = (Errno)(-n);
            if (errno == Errno.EAGAIN)
            {
                _state &= ~State.ReadPending;
                return;
            }
            CloseNow(errno.IsPeerGone() ? CloseReason.Reset : CloseReason.Error);
            return;
        }
    }

    /// <summary>Output is over the high-water mark: try to send now; if the peer still lags, stop reading until it drains.</summary>
    private bool RelieveBackpressure()
    {
        if ((_state & State.WriteArmed) == 0) FlushNow();
        if (!IsOpen) return false;
        if (_output.Length < _transport.HighWaterMark) return true;
        PauseReading();
        return false;
    }

    private void Deliver(bool fromInput, int received)
    {
        ReadOnlySpan<byte> data = fromInput ? _input.Data : new ReadOnlySpan<byte>(_loop.Scratch, 0, received);
        int consumed;
        _inProtocolCall = true;
        try
        {
            consumed = _protocol.OnReceived(this, data);
        }
        catch (Exception e)
        {
            FailProtocol(e);
            return;
        }
        _inProtocolCall = false;
        if ((uint)consumed > (uint)data.Length)
        {
            FailProtocol(new InvalidOperationException($"protocol consumed {consumed} of {data.Length} bytes"));
            return;
        }
        if (!IsOpen) return;
        if (fromInput) _input.Consume(consumed);
        else if (consumed < data.Length) _input.Append(data[consumed..]);
        if (!_output.IsEmpty || (_state & State.Closing) != 0) _loop.ScheduleFlush(this);
    }

    private void OnPeerFinished()
    {
        _state |= State.InputCompleted;
        _state &= ~State.ReadPending;
        _inProtocolCall = true;
        try
        {
            _protocol.OnInputCompleted(this);
        }
        catch (Exception e)
        {
            FailProtocol(e);
            return;
        }
        _inProtocolCall = false;
        if (!IsOpen) return;
        if ((_state & State.Closing) != 0)
        {
            if (_output.IsEmpty) CloseNow(CloseReason.PeerClosed);
            else _loop.ScheduleFlush(this);
        }
        else if (!_loop.IsEdgeTriggered)
        {
            // Level-triggered: a socket at EOF stays readable, so stop asking while the protocol finishes.
            UpdateInterest();
        }
    }

    /// <summary>A protocol call threw (or broke its contract): log it and drop the connection; the loop goes on.</summary>
    private void FailProtocol(Exception e)
    {
        _inProtocolCall = false;
        _transport.LogProtocolError(e, Id);
        CloseNow(CloseReason.Error);
    }

    /// <summary>Sends as much output as the kernel takes, with one gathered write per pass.</summary>
    private void FlushNow()
    {
        if (!IsOpen) return;
        var vectors = stackalloc IoVector[MaxVectors];
        while (!_output.IsEmpty)
        {
            int count = _output.FillVectors(new Span<IoVector>(vectors, MaxVectors));
            long offered = 0;
            for (int i = 0; i < count; i++) offered += (long)vectors[i].Length;
            nint n = count == 1 ? Sys.Send(_fd, vectors[0].Base, (int)vectors[0].Length) : Sys.SendVectors(_fd, vectors, count);
            if (n > 0)
            {
                _output.Consume(n);
                _lastActivityMs = _loop.NowMs;
                _transport.Counters.BytesSent += n;
                if (n < offered)
                {
                    ArmWrite(); // the kernel's send buffer is full
                    return;
                }
                continue;
            }
            var errno = n == 0 ? Errno.EAGAIN : (Errno)(-n);
            if (errno == Errno.EAGAIN)
            {
                ArmWrite();
                return;
            }
            CloseNow(errno.IsPeerGone() ? CloseReason.Reset : CloseReason.Error);
            return;
        }
        OnOutputDrained();
    }

    private void OnOutputDrained()
    {
        bool changed = false;
        if ((_state & State.WriteArmed) != 0)
        {
            _state &= ~State.WriteArmed;
            changed = true;
        }
        if ((_state & State.Closing) != 0)
        {
            CloseNow((_state & State.InputCompleted) != 0 ? CloseReason.PeerClosed : CloseReason.Local);
            return;
        }
        if ((_state & State.ReadPaused) != 0)
        {
            _state &= ~State.ReadPaused;
            changed |= !_loop.IsEdgeTriggered;
            // Data that arrived while paused raised no new edge: go and read it.
            if ((_state & State.ReadPending) != 0) _loop.ScheduleReady(this);
        }
        if (changed) UpdateInterest();
    }

    private void ArmWrite()
    {
        if ((_state & State.WriteArmed) != 0) return;
        _state |= State.WriteArmed;
        UpdateInterest();
    }

    private void PauseReading()
    {
        if ((_state & State.ReadPaused) != 0) return;
        _state |= State.ReadPaused;
        _transport.Counters.BackpressurePauses++;
        // Edge-triggered registrations need no change: a paused connection just stops reading.
        if (!_loop.IsEdgeTriggered) UpdateInterest();
    }

    private void UpdateInterest()
    {
        Interest interest;
        if (_loop.IsEdgeTriggered)
        {
            interest = Interest.Read | Interest.EdgeTriggered;
        }
        else
        {
            bool reading = (_state & (State.ReadPaused | State.InputCompleted | State.Closing)) == 0;
            interest = reading ? Interest.Read : Interest.None;
        }
        if ((_state & State.WriteArmed) != 0) interest |= Interest.Write;
        int rc = _loop.ChangeInterest(this, _fd, interest);
        if (rc < 0) CloseNow(CloseReason.Error);
    }

    private void ScheduleIdleTimer()
    {
        long idleMs = _transport.IdleTimeoutMs;
        if (idleMs > 0) _loop.Timers.Schedule(this, _lastActivityMs + idleMs);
    }

    /// <summary>Closes the fd and returns every buffer; safe to call twice.</summary>
    public void CloseNow(CloseReason reason)
    {
        if (!IsOpen) return;
        _state = State.None;
        _loop.Unregister(this, _fd, fdStaysOpen: false);
        Sys.Close(_fd);
        _fd = -1;
        _output.Clear();
        _input.Clear();
        var protocol = _protocol;
        _protocol = null!;
        try
        {
            protocol.OnClosed(this, reason);
        }
        catch (Exception e)
        {
            _transport.LogProtocolError(e, Id);
        }
        _transport.OnConnectionClosed(this, reason);
    }
}
