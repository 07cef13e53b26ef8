using Netloop.Native;
using Netloop.Protocols;
using Netloop.Reactor;

namespace Netloop.Transport;

/// <summary>Reading: recv until drained, hand bytes to the protocol, keep what it leaves, suspend and resume on request.</summary>
internal sealed unsafe partial class Connection
{
    private const int MaxReadsPerEvent = 16;
    private const int MinReceiveSpace = 4096;

    public void SuspendInput()
    {
        if (!IsOpen || (_state & State.InputSuspended) != 0) return;
        _state |= State.InputSuspended;
        if (!_loop.IsEdgeTriggered) UpdateInterest();
    }

    public void ResumeInput()
    {
        if (!IsOpen || (_state & State.InputSuspended) == 0) return;
        _state &= ~State.InputSuspended;
        // Bytes the protocol left while suspended are offered again before anything new is read. Whether there are
        // any is decided then, not now: inside OnReceived the bytes it is about to leave are not in the buffer yet.
        _state |= State.Redeliver;
        if (!_loop.IsEdgeTriggered) UpdateInterest();
        _loop.ScheduleReady(this);
    }

    private void ReadAvailable()
    {
        for (int reads = 0; ; reads++)
        {
            if (!IsOpen || (_state & (State.Closing | State.InputSuspended)) != 0) return;
            if ((_state & State.Redeliver) != 0)
            {
                _state &= ~State.Redeliver;
                if (!_input.IsEmpty) Deliver(fromInput: true, received: 0);
                continue;
            }
            if ((_state & State.InputCompleted) != 0) return;
            if (PendingOutputBytes >= _transport.HighWaterMark && !RelieveBackpressure()) return;
            if (reads >= MaxReadsPerEvent)
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
                n = _tls is null ? Sys.Receive(_fd, block.Address + block.End, requested) : _tls.Read(block.Address + block.End, requested);
            }
            else
            {
                requested = EventLoop.ScratchSize;
                fixed (byte* p = _loop.Scratch) n = _tls is null ? Sys.Receive(_fd, p, requested) : _tls.Read(p, requested);
            }

            if (n > 0)
            {
                _lastActivityMs = _loop.NowMs;
                _transport.Counters.BytesReceived += n;
                if (intoInput) _input.Commit((int)n);
                Deliver(intoInput, (int)n);
                // Linux fills a stream recv as far as it can: a short read means the socket was drained, and with
                // edge triggering the next arrival raises a new edge. This saves the EAGAIN read per request. Not when
                // the event said the peer hung up: its FIN arrived with this data and no later edge will tell of it. Nor
                // under TLS: SSL_read returns one record at a time, and OpenSSL may hold more already read.
                if (n < requested && (_state & State.HangupSeen) == 0 && _tls is null)
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
        if (HasPendingOutput || (_state & State.Closing) != 0) _loop.ScheduleFlush(this);
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
            if (!HasPendingOutput) CloseNow(CloseReason.PeerClosed);
            else _loop.ScheduleFlush(this);
        }
        else if (!_loop.IsEdgeTriggered)
        {
            // Level-triggered: a socket at EOF stays readable, so stop asking while the protocol finishes.
            UpdateInterest();
        }
    }
}
