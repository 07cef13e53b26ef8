using Microsoft.Win32.SafeHandles;
using Netloop.Native;
using Netloop.Protocols;
using Netloop.Reactor;

namespace Netloop.Transport;

/// <summary>
/// Sending: buffered bytes go out with one gathered write per pass, queued files with sendfile(2), in the order they
/// were queued. EPOLLOUT is armed only when the kernel's send buffer is full, and reading pauses while output is
/// above the high-water mark.
/// </summary>
internal sealed unsafe partial class Connection
{
    private const int MaxVectors = 64;
    private const int MaxSendFileChunk = 1 << 30;

    private Queue<FileSegment>? _files;
    private long _fileBytesPending;
    private long _chainBytesSent;

    public long PendingOutputBytes => _output.Length + _fileBytesPending;

    private bool HasPendingOutput => !_output.IsEmpty || _fileBytesPending > 0;

    public void Flush()
    {
        if (IsOpen && !_inProtocolCall && HasPendingOutput) _loop.ScheduleFlush(this);
    }

    public void SendFile(SafeFileHandle file, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!IsOpen || length <= 0)
        {
            file.Dispose();
            return;
        }
        (_files ??= new Queue<FileSegment>()).Enqueue(new FileSegment(file, offset, length, _chainBytesSent + _output.Length));
        _fileBytesPending += length;
        if (!_inProtocolCall) _loop.ScheduleFlush(this);
    }

    internal override void OnFlush()
    {
        if (IsOpen && (_state & State.WriteArmed) == 0) FlushNow();
    }

    /// <summary>Sends as much output as the kernel takes.</summary>
    private void FlushNow()
    {
        if (!IsOpen) return;
        var vectors = stackalloc IoVector[MaxVectors];
        while (HasPendingOutput)
        {
            var file = _files is { Count: > 0 } ? _files.Peek() : null;
            if (file is not null && file.StreamPosition == _chainBytesSent)
            {
                if (!(_tls is null ? SendFileChunk(file) : SendFileChunkTls(file))) return;
                continue;
            }
            long limit = file is null ? long.MaxValue : file.StreamPosition - _chainBytesSent;
            // Under TLS one block at a time: each SSL_write seals its bytes as records and sends them.
            int count = _output.FillVectors(new Span<IoVector>(vectors, _tls is null ? MaxVectors : 1), limit);
            long offered = 0;
            for (int i = 0; i < count; i++) offered += (long)vectors[i].Length;
            nint n = _tls is not null ? _tls.Write(vectors[0].Base, (int)vectors[0].Length)
                : count == 1 ? Sys.Send(_fd, vectors[0].Base, (int)vectors[0].Length) : Sys.SendVectors(_fd, vectors, count);
            if (!Sent(n, offered)) return;
            _output.Consume(n);
            _chainBytesSent += n;
        }
        OnOutputDrained();
    }

    /// <summary>One sendfile(2) call; false when the caller must stop (socket full, or the connection closed).</summary>
    private bool SendFileChunk(FileSegment file)
    {
        long offset = file.Offset;
        int chunk = (int)Math.Min(file.Remaining, MaxSendFileChunk);
        nint n = Sys.SendFile(_fd, (int)file.File.DangerousGetHandle(), ref offset, chunk);
        if (n == 0)
        {
            // The file ended before the length the protocol promised (truncated meanwhile): the response is broken.
            _transport.LogProtocolError(new IOException($"file ended {file.Remaining} bytes early"), Id);
            CloseNow(CloseReason.Error);
            return false;
        }
        if (!Sent(n, chunk)) return false;
        file.Offset = offset;
        file.Remaining -= n;
        _fileBytesPending -= n;
        if (file.Remaining == 0) _files!.Dequeue().File.Dispose();
        return true;
    }

    /// <summary>Accounts for a send's result; false when the caller must stop: the socket is full (EPOLLOUT armed) or the connection closed.</summary>
    private bool Sent(nint n, long offered)
    {
        if (n > 0)
        {
            _lastActivityMs = _loop.NowMs;
            _lastSendProgressMs = _lastActivityMs;
            _transport.Counters.BytesSent += n;
            if (n < offered) ArmWrite(); // the kernel's send buffer is full
            return true;
        }
        var errno = n == 0 ? Errno.EAGAIN : (Errno)(-n);
        if (errno == Errno.EAGAIN)
        {
            ArmWrite();
            return false;
        }
        CloseNow(errno.IsPeerGone() ? CloseReason.Reset : CloseReason.Error);
        return false;
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
        if (_protocol is IOutputDrainedListener listener && !_inProtocolCall)
        {
            _inProtocolCall = true;
            try
            {
                listener.OnOutputDrained(this);
            }
            catch (Exception e)
            {
                FailProtocol(e);
                return;
            }
            _inProtocolCall = false;
            if (!IsOpen) return;
            // What the listener wrote goes out on the loop's next flush pass.
            if (HasPendingOutput) _loop.ScheduleFlush(this);
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

    /// <summary>Output is over the high-water mark: try to send now; if the peer still lags, stop reading until it drains.</summary>
    private bool RelieveBackpressure()
    {
        if ((_state & State.WriteArmed) == 0) FlushNow();
        if (!IsOpen) return false;
        if (PendingOutputBytes < _transport.HighWaterMark) return true;
        PauseReading();
        return false;
    }

    private void ArmWrite()
    {
        if ((_state & State.WriteArmed) != 0) return;
        _state |= State.WriteArmed;
        StartSendWait();
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

    private void ClearOutput()
    {
        _output.Clear();
        if (_files is not null)
        {
            while (_files.TryDequeue(out var file)) file.File.Dispose();
        }
        _fileBytesPending = 0;
        _chainBytesSent = 0;
    }
}
