using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netloop.Buffers;
using Netloop.Protocols;

namespace Netloop.Modes;

/// <summary>
/// One accepted <see cref="System.Net.Sockets.Socket"/> of a baseline mode: its protocol, the bytes the protocol has not
/// consumed, the bytes not yet sent, and the rules every baseline shares for calling the protocol and naming why the
/// connection ended. A subclass owns the I/O loop (blocking or async) and ends it with <see cref="Finish"/>.
/// Requests to end the connection may come from other threads (the engine stopping, a protocol closing from elsewhere),
/// so each is a flag plus a wake-up of the call the loop is blocked in; everything else runs in the connection's own flow.
/// </summary>
internal abstract class SocketConnection : IConnection
{
    /// <summary>Bytes read at once.</summary>
    protected const int ReceiveSize = 16 * 1024;

    private const int MinReceiveSpace = 4096;
    private const int NoFailure = -1;

    private static long s_nextId;

    private readonly BaselineEngine _engine;
    private readonly BufferChain _output;
    private readonly InputBuffer _input;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private IConnectionProtocol? _protocol;
    private IPEndPoint? _remote;
    private TaskCompletionSource? _endRequested;
    private int _failure = NoFailure;
    private int _requests;
    private int _protocolThread;
    private bool _inputCompleted;
    private bool _socketDisposed;

    [Flags]
    private enum EndRequest
    {
        None = 0,
        Close = 1,
        Abort = 2,
        Drain = 4,
        Kill = 8,
    }

    protected SocketConnection(BaselineEngine engine, Socket socket)
    {
        _engine = engine;
        Socket = socket;
        _output = new BufferChain(engine.Pool);
        _input = new InputBuffer(engine.Pool);
        Id = Interlocked.Increment(ref s_nextId);
    }

    public long Id { get; }

    public IPEndPoint? RemoteEndPoint
    {
        get
        {
            if (_remote is not null) return _remote;
            try
            {
                return _remote = Socket.RemoteEndPoint as IPEndPoint;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return null;
            }
        }
    }

    public IBufferWriter<byte> Output => _output;

    public long PendingOutputBytes => _output.Length;

    /// <summary>Completes once the connection is closed, its buffers returned and its protocol told.</summary>
    public Task Completion => _completion.Task;

    protected Socket Socket { get; }

    protected BaselineEngine Engine => _engine;

    protected BufferChain OutputChain => _output;

    /// <summary>The idle timeout in whole milliseconds (rounded up, so a tiny timeout is not read as disabled); 0 when disabled.</summary>
    protected int IdleTimeoutMs => (int)Math.Min(int.MaxValue, Math.Ceiling(_engine.Options.IdleTimeout.TotalMilliseconds));

    /// <summary>Set by a mode whose socket timeouts (SO_RCVTIMEO, SO_SNDTIMEO) implement the idle timeout.</summary>
    protected bool SocketTimeoutIsIdle { get; set; }

    /// <summary>Something asked the connection to end, or it failed: the loop reads no more.</summary>
    protected bool IsEnding => Volatile.Read(ref _requests) != 0 || Volatile.Read(ref _failure) != NoFailure;

    /// <summary>The end discards unsent output (an abort, a forced close, a failure) instead of sending it first.</summary>
    protected bool DiscardsOutput =>
        (Volatile.Read(ref _requests) & (int)(EndRequest.Abort | EndRequest.Kill)) != 0 || Volatile.Read(ref _failure) != NoFailure;

    protected bool HasUnconsumedInput => !_input.IsEmpty;

    public void Flush()
    {
        // Inside a protocol call the loop sends when the call returns; from elsewhere, send now on the caller's thread.
        if (_protocolThread == Environment.CurrentManagedThreadId || DiscardsOutput || Volatile.Read(ref _socketDisposed)) return;
        SendPending();
    }

    public void Close() => Request(EndRequest.Close);

    public void Abort() => Request(EndRequest.Abort);

    /// <summary>Graceful stop: read no more, send what is pending, then close.</summary>
    public void BeginShutdown() => Request(EndRequest.Drain);

    /// <summary>The shutdown timeout passed: dispose the socket, which fails whatever call the loop is blocked in.</summary>
    public void ForceClose() => Request(EndRequest.Kill);

    /// <summary>Closes the socket of a connection that was never admitted; it has no protocol and no buffers yet.</summary>
    public void Reject()
    {
        lock (_gate) _socketDisposed = true;
        Socket.Dispose();
    }

    /// <summary>The mode could not start serving an admitted connection (no thread could be created): end it as failed.</summary>
    public void Abandon(Exception e)
    {
        _engine.Logger.LogError(e, "connection {Id}: cannot start serving it; closing it", Id);
        Fail(CloseReason.Error);
        Finish();
    }

    private void Request(EndRequest request)
    {
        TaskCompletionSource? waiter;
        // The wake-up runs under the gate so it never overlaps Finish's Dispose: the runtime takes a socket call in
        // flight during Dispose for a blocked operation and closes abortively, resetting a peer owed a graceful close.
        lock (_gate)
        {
            if ((_requests & (int)request) != 0 || _socketDisposed) return;
            Volatile.Write(ref _requests, _requests | (int)request);
            waiter = _endRequested;
            try
            {
                // On Linux a receive, blocked or pending, returns 0 once the read side is shut down; shutting both
                // sides also fails a blocked send; disposing fails every call.
                switch (request)
                {
                    case EndRequest.Kill:
                        _socketDisposed = true;
                        Socket.Dispose();
                        break;
                    case EndRequest.Abort:
                        Socket.Shutdown(SocketShutdown.Both);
                        break;
                    default:
                        Socket.Shutdown(SocketShutdown.Receive);
                        break;
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already disconnected: the loop finds out on its own.
            }
        }
        waiter?.TrySetResult();
    }

    /// <summary>Completes when something asks the connection to end: how a half-closed connection whose protocol keeps it open waits.</summary>
    protected Task WhenEndRequested()
    {
        lock (_gate)
        {
            if (_requests != 0) return Task.CompletedTask;
            _endRequested ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _endRequested.Task;
        }
    }

    /// <summary>Sets the socket up, creates the protocol and lets it speak first; false when the protocol failed.</summary>
    protected bool Open()
    {
        try
        {
            if (_engine.Options.NoDelay) Socket.NoDelay = true;
            int idleMs = IdleTimeoutMs;
            if (SocketTimeoutIsIdle && idleMs > 0)
            {
                Socket.ReceiveTimeout = idleMs;
                Socket.SendTimeout = idleMs;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The peer is already gone, or the server is stopping: the first receive finds out and names it.
        }
        _protocolThread = Environment.CurrentManagedThreadId;
        try
        {
            _protocol = _engine.Protocols.Create();
            _protocol.OnConnected(this);
            return true;
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
    }

    /// <summary>
    /// Makes room after the unconsumed bytes and returns the block to receive into, so the protocol sees them followed by
    /// the new ones without a copy; null (the connection failed) when the protocol left more than the largest block unconsumed.
    /// </summary>
    protected BufferBlock? ReserveInput()
    {
        if (_input.EnsureFree(MinReceiveSpace)) return _input.Block;
        _engine.Logger.LogWarning("connection {Id}: protocol left more than {Max} bytes unconsumed; closing it", Id, BufferPool.MaxBlockSize);
        Fail(CloseReason.Error);
        return null;
    }

    /// <summary>Counts <paramref name="count"/> bytes received, straight into the block <see cref="ReserveInput"/> returned when <paramref name="intoInput"/>.</summary>
    protected void RecordReceived(int count, bool intoInput)
    {
        Interlocked.Add(ref _engine.Counters.BytesReceived, count);
        if (intoInput) _input.Commit(count);
    }

    /// <summary>
    /// Offers the protocol the unconsumed bytes followed by the new ones (in the input block when <paramref name="intoInput"/>,
    /// otherwise <paramref name="received"/>), and keeps what it leaves. False when the protocol failed.
    /// </summary>
    protected bool Deliver(ReadOnlySpan<byte> received, bool intoInput)
    {
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
        if (intoInput) _input.Consume(consumed);
        else if (consumed < data.Length) _input.Append(data[consumed..]);
        return true;
    }

    /// <summary>Input ended (a receive returned 0): tells the protocol the peer finished, unless our own end request shut the read side. False when the protocol failed.</summary>
    protected bool CompleteInput()
    {
        if (IsEnding) return true;
        _inputCompleted = true;
        _protocolThread = Environment.CurrentManagedThreadId;
        try
        {
            _protocol!.OnInputCompleted(this);
            return true;
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
    }

    /// <summary>Sends all output with blocking sends; false when the connection failed.</summary>
    protected bool SendPending()
    {
        while (!_output.IsEmpty)
        {
            int sent;
            try
            {
                sent = Socket.Send(PendingFront().Span);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                FailIo(e);
                return false;
            }
            OnSent(sent);
        }
        return true;
    }

    /// <summary>The first bytes waiting to be sent. The chain may start with an empty block (rented by GetSpan and never advanced).</summary>
    protected Memory<byte> PendingFront()
    {
        for (var block = _output.Head; block is not null; block = block.Next)
        {
            if (block.Length > 0) return block.DataMemory;
        }
        return Memory<byte>.Empty;
    }

    /// <summary>Drops <paramref name="count"/> sent bytes from the output and counts them.</summary>
    protected void OnSent(int count)
    {
        _output.Consume(count);
        Interlocked.Add(ref _engine.Counters.BytesSent, count);
    }

    /// <summary>Records the first reason the connection failed; later ones are consequences of it.</summary>
    protected void Fail(CloseReason reason) => Interlocked.CompareExchange(ref _failure, (int)reason, NoFailure);

    /// <summary>Records why a socket call failed. A failure our own forced close or abort caused is named after that request.</summary>
    protected void FailIo(Exception e)
    {
        int requests = Volatile.Read(ref _requests);
        var error = (e as SocketException)?.SocketErrorCode;
        CloseReason reason;
        if ((requests & (int)EndRequest.Kill) != 0) reason = CloseReason.Shutdown;
        else if ((requests & (int)EndRequest.Abort) != 0) reason = CloseReason.Local;
        else if (SocketTimeoutIsIdle && error is SocketError.TimedOut or SocketError.WouldBlock) reason = CloseReason.IdleTimeout;
        else if (IsPeerGone(error)) reason = CloseReason.Reset;
        else reason = CloseReason.Error;
        if (reason == CloseReason.Error) _engine.Logger.LogDebug(e, "connection {Id}: socket failed", Id);
        Fail(reason);
    }

    // The runtime reports EPIPE as SocketError.Shutdown.
    private static bool IsPeerGone(SocketError? error) => error is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown
        or SocketError.NotConnected or SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable;

    private void FailProtocol(Exception e)
    {
        _engine.Logger.LogError(e, "connection {Id}: protocol failed; closing it", Id);
        Fail(CloseReason.Error);
    }

    /// <summary>A failure in the mode's own loop, not the protocol: logged, and the connection closes as failed rather than take the process down.</summary>
    protected void FailUnexpected(Exception e)
    {
        _engine.Logger.LogError(e, "connection {Id}: unexpected failure; closing it", Id);
        Fail(CloseReason.Error);
    }

    /// <summary>Ends the connection, once, from its own flow: closes the socket, returns every buffer, tells the protocol why, frees its place.</summary>
    protected void Finish()
    {
        CloseReason reason;
        lock (_gate)
        {
            _socketDisposed = true;
            reason = ResolveReason();
            // Counted before the peer can see the close, so whoever watches the peer also finds the count.
            _engine.CountClose(reason);
            Socket.Dispose();
        }
        _output.Clear();
        _input.Clear();
        var protocol = _protocol;
        _protocol = null;
        if (protocol is not null)
        {
            try
            {
                protocol.OnClosed(this, reason);
            }
            catch (Exception e)
            {
                _engine.Logger.LogError(e, "connection {Id}: protocol failed while closing", Id);
            }
            // Output written while closing can never be sent; it must not keep a block from the pool.
            _output.Clear();
        }
        _engine.Release(this);
        _completion.TrySetResult();
    }

    private CloseReason ResolveReason()
    {
        int failure = Volatile.Read(ref _failure);
        if (failure != NoFailure) return (CloseReason)failure;
        var requests = (EndRequest)Volatile.Read(ref _requests);
        if ((requests & EndRequest.Kill) != 0) return CloseReason.Shutdown;
        if ((requests & EndRequest.Abort) != 0) return CloseReason.Local;
        if ((requests & EndRequest.Close) != 0) return _inputCompleted ? CloseReason.PeerClosed : CloseReason.Local;
        if ((requests & EndRequest.Drain) != 0) return CloseReason.Shutdown;
        return _inputCompleted ? CloseReason.PeerClosed : CloseReason.Local;
    }
}
