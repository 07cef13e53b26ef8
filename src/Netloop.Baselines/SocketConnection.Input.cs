using Microsoft.Extensions.Logging;
using Netloop.Buffers;
using Netloop.Protocols;
using Netloop.Transport;

namespace Netloop.Baselines;

/// <summary>
/// Receiving: offering bytes to the protocol after the ones it left, keeping what it leaves, and suspending and resuming
/// input. The input buffer is only touched in a turn, so a turn on another thread can offer it again after a resume.
/// </summary>
internal abstract partial class SocketConnection
{
    private const int MinReceiveSpace = 4096;

    private readonly InputBuffer _input;
    private TaskCompletionSource? _resumed;
    private volatile bool _inputSuspended;
    private bool _redeliver;
    private int _activity;

    /// <remarks>Call in a protocol call or posted work, as <see cref="IConnection"/> asks.</remarks>
    public void SuspendInput()
    {
        if (_closed || _inputSuspended) return;
        NoteActivity();
        // Published before the flag, so a loop that sees the flag waits on this suspension's task.
        var resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _resumed, resumed);
        _inputSuspended = true;
        // An end request that raced ahead of the exchange found the previous task: the loop must still wake for it.
        if (IsEnding) resumed.TrySetResult();
    }

    /// <remarks>Call in a protocol call or posted work, as <see cref="IConnection"/> asks.</remarks>
    public void ResumeInput()
    {
        if (_closed || !_inputSuspended) return;
        _inputSuspended = false;
        NoteActivity();
        // Bytes left while suspended are offered again at the end of this turn, not inside this call, and before
        // anything new is read. Whether there are any is decided then: inside OnReceived the bytes it is about to
        // leave are not in the input buffer yet.
        _redeliver = true;
        Volatile.Read(ref _resumed)?.TrySetResult();
    }

    /// <summary>The protocol suspended input: the loop must neither read nor offer bytes until it resumes.</summary>
    protected bool IsInputSuspended => _inputSuspended;

    protected bool HasUnconsumedInput => !_input.IsEmpty;

    /// <summary>A count that moves whenever bytes move or input is suspended or resumed; read by a loop to tell idleness from a protocol at work.</summary>
    protected int Activity => Volatile.Read(ref _activity);

    /// <summary>
    /// Completes when input resumes or something asks the connection to end; null when input is not suspended. A
    /// suspended connection waits for its protocol without the idle timeout: the protocol's own timer covers it.
    /// </summary>
    protected Task? WhenInputResumed() => _inputSuspended ? Volatile.Read(ref _resumed)?.Task : null;

    /// <summary>
    /// True when a timeout that began at <paramref name="activity"/> means the connection was really idle: no bytes
    /// moved (posted work may have sent some) and input was neither suspended nor resumed meanwhile.
    /// </summary>
    protected bool IsIdleSince(int activity) => !_inputSuspended && Activity == activity;

    /// <summary>
    /// In a turn: makes room after the unconsumed bytes and returns the block to receive into, so the protocol sees them
    /// followed by the new ones without a copy; null (the connection failed) when the protocol left more than the largest block unconsumed.
    /// </summary>
    protected BufferBlock? ReserveInput() => EnsureInputSpace(MinReceiveSpace) ? _input.Block : null;

    /// <summary>In a turn: counts <paramref name="count"/> bytes received, straight into the block <see cref="ReserveInput"/> returned when <paramref name="intoInput"/>.</summary>
    protected void RecordReceived(int count, bool intoInput)
    {
        NoteActivity();
        Interlocked.Add(ref _engine.Counters.BytesReceived, count);
        if (intoInput) _input.Commit(count);
    }

    /// <summary>
    /// In a turn: takes bytes received into the caller's own buffer. They are offered to the protocol after the
    /// unconsumed ones (copied behind them when there are some), or only kept while input is suspended. False when the connection failed.
    /// </summary>
    protected bool AcceptReceived(ReadOnlySpan<byte> received)
    {
        RecordReceived(received.Length, intoInput: false);
        if (_input.IsEmpty && !_inputSuspended) return Deliver(received, intoInput: false);
        if (!EnsureInputSpace(received.Length)) return false;
        _input.Append(received);
        return _inputSuspended || Deliver(default, intoInput: true);
    }

    /// <summary>
    /// In a turn: offers the protocol the unconsumed bytes followed by the new ones (in the input block when
    /// <paramref name="intoInput"/>, otherwise <paramref name="received"/>), keeps what it leaves, and offers them again
    /// if the call suspended and resumed input. False when the protocol failed.
    /// </summary>
    protected bool Deliver(ReadOnlySpan<byte> received, bool intoInput) => DeliverOnce(received, intoInput) && OfferResumedInput();

    /// <summary>In a turn, when input ended (a receive returned 0): tells the protocol the peer finished, unless our own end request shut the read side. False when the protocol failed.</summary>
    protected bool CompleteInput()
    {
        if (IsEnding) return true;
        _inputCompleted = true;
        _protocolThread = Environment.CurrentManagedThreadId;
        try
        {
            _protocol!.OnInputCompleted(this);
        }
        catch (Exception e)
        {
            FailProtocol(e);
            return false;
        }
        finally
        {
            _protocolThread = 0;
        }
        return OfferResumedInput();
    }

    private bool DeliverOnce(ReadOnlySpan<byte> received, bool intoInput)
    {
        // This call sees every buffered byte: a pending offer after a resume is served by it.
        _redeliver = false;
        ReadOnlySpan<byte> data = intoInput ? _input.Data : received;
        int consumed;
        _protocolThread = Environment.CurrentManagedThreadId;
        try
        {
            consumed = _protocol!.OnReceived(this, data);
        }
        catch (Exception e)
        {
            FailProtocol(e);
            return false;
        }
        finally
        {
            _protocolThread = 0;
        }
        if ((uint)consumed > (uint)data.Length)
        {
            FailProtocol(new InvalidOperationException($"protocol consumed {consumed} of {data.Length} bytes"));
            return false;
        }
        if (intoInput)
        {
            _input.Consume(consumed);
        }
        else if (consumed < data.Length)
        {
            if (!EnsureInputSpace(data.Length - consumed)) return false;
            _input.Append(data[consumed..]);
        }
        return true;
    }

    /// <summary>
    /// At the end of a turn's protocol calls: if the protocol resumed input and bytes wait, offers them once. A protocol
    /// that resumes again inside that offer gets the next one from a posted turn rather than a loop here, as the
    /// reactor defers it to its next iteration. False when the protocol failed.
    /// </summary>
    private bool OfferResumedInput()
    {
        if (!_redeliver || _inputSuspended || _closed || IsEnding) return true;
        _redeliver = false;
        if (_input.IsEmpty) return true;
        if (!DeliverOnce(default, intoInput: true)) return false;
        if (_redeliver) PostNothing();
        return true;
    }

    private bool EnsureInputSpace(int count)
    {
        if (_input.EnsureFree(count)) return true;
        _engine.Logger.LogWarning("connection {Id}: protocol left more than {Max} bytes unconsumed; closing it", Id, BufferPool.MaxBlockSize);
        Fail(CloseReason.Error);
        return false;
    }

    // Only ever changed in a turn, so a plain increment is enough; loops read it with Activity.
    private void NoteActivity() => _activity++;

    /// <summary>An end request wakes a loop waiting for input to resume.</summary>
    private void WakeSuspendedLoop()
    {
        // Pairs with the exchange in SuspendInput: either this sees its new task or it sees the request.
        Interlocked.MemoryBarrier();
        Volatile.Read(ref _resumed)?.TrySetResult();
    }
}
