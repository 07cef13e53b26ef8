using System.Buffers;
using Microsoft.Extensions.Logging;

namespace Netloop.Baselines.Tls;

/// <summary>
/// The plaintext side of <see cref="SslStreamProtocol"/>: reads decrypted bytes from SslStream and offers them to the
/// plaintext protocol with the transport's contract (unconsumed bytes come first next time; a suspended protocol is not
/// called until it resumes). While nothing is held it waits with a zero-byte read, as Kestrel does, so an idle
/// connection holds neither SslStream's record buffer nor a plaintext buffer.
/// </summary>
internal sealed partial class SslStreamProtocol
{
    private const int InputBlockSize = 16 * 1024;

    // The most plaintext the protocol may leave unconsumed: beyond it, it will never make progress.
    private const int MaxHeldInput = 1024 * 1024;

    private byte[]? _input;
    private int _inputLength;
    private bool _inputSuspended;
    private bool _pumpParked;
    private bool _redeliver;
    private bool _innerClosed;

    /// <summary>The plaintext protocol stops hearing of input until <see cref="ResumeInput"/>; the pump parks.</summary>
    internal void SuspendInput() => _inputSuspended = true;

    /// <summary>The plaintext protocol reads again: held bytes are offered again soon (not inside this call), then reading resumes.</summary>
    internal void ResumeInput()
    {
        if (!_inputSuspended) return;
        _inputSuspended = false;
        _redeliver = _inputLength > 0;
        if (!_pumpParked) return;
        _pumpParked = false;
        _transport.Post(static state => ((SslStreamProtocol)state!).RestartPump(), this);
    }

    /// <summary>The plaintext protocol closed or aborted: it hears of no more input.</summary>
    internal void StopInput() => _innerClosed = true;

    private void RestartPump()
    {
        if (_closed) return;
        Enter();
        try
        {
            _ = PumpAsync();
        }
        finally
        {
            Leave();
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            while (!_closed && !_innerClosed)
            {
                if (_inputSuspended)
                {
                    _pumpParked = true;
                    return;
                }
                if (_redeliver)
                {
                    _redeliver = false;
                    Deliver();
                    continue;
                }
                if (_inputLength == 0)
                {
                    // Waits for a record without holding a buffer (SslStream passes the zero-byte read to CiphertextStream).
                    await _ssl.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
                    if (_closed) return;
                }
                var free = ReserveInput();
                int read = await _ssl.ReadAsync(free).ConfigureAwait(false);
                if (_closed) return;
                if (read == 0)
                {
                    ReleaseInputIfEmpty();
                    CompleteInput();
                    return;
                }
                _inputLength += read;
                Deliver();
            }
        }
        catch (Exception e)
        {
            if (_closed) return;
            _factory.Logger.LogDebug("connection {Id}: TLS connection failed: {Message}", _transport.Id, e.Message);
            RequestAbort();
        }
    }

    /// <summary>Offers the held plaintext to the protocol and keeps what it leaves.</summary>
    private void Deliver()
    {
        var inner = _inner;
        if (inner is null || _inputLength == 0) return;
        Enter();
        int consumed;
        try
        {
            consumed = inner.OnReceived(_plaintext, _input.AsSpan(0, _inputLength));
        }
        finally
        {
            LeaveInner();
        }
        if ((uint)consumed > (uint)_inputLength) throw new InvalidOperationException($"protocol consumed {consumed} of {_inputLength} bytes");
        if (_input is null) return; // closed during the call
        _inputLength -= consumed;
        if (_inputLength > 0 && consumed > 0) _input.AsSpan(consumed, _inputLength).CopyTo(_input);
        ReleaseInputIfEmpty();
    }

    /// <summary>The peer sent close_notify or closed its side: the protocol decides (by default it closes).</summary>
    private void CompleteInput()
    {
        var inner = _inner;
        if (inner is null) return;
        Enter();
        try
        {
            inner.OnInputCompleted(_plaintext);
        }
        finally
        {
            LeaveInner();
        }
    }

    private Memory<byte> ReserveInput()
    {
        if (_input is null) _input = ArrayPool<byte>.Shared.Rent(InputBlockSize);
        else if (_inputLength == _input.Length)
        {
            if (_input.Length * 2 > MaxHeldInput) throw new InvalidOperationException($"the protocol left {_inputLength} bytes unconsumed");
            var bigger = ArrayPool<byte>.Shared.Rent(_input.Length * 2);
            _input.AsSpan(0, _inputLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_input);
            _input = bigger;
        }
        return _input.AsMemory(_inputLength);
    }

    private void ReleaseInputIfEmpty()
    {
        if (_inputLength == 0) ReleaseInput();
    }

    private void ReleaseInput()
    {
        _inputLength = 0;
        if (_input is null) return;
        ArrayPool<byte>.Shared.Return(_input);
        _input = null;
    }
}
