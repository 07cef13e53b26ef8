using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netloop.Buffers;
using Netloop.Native;
using Netloop.Protocols;
using Netloop.Transport;

namespace Netloop.Baselines;

/// <summary>
/// One accepted <see cref="System.Net.Sockets.Socket"/> of a baseline mode: its protocol, the bytes the protocol has not
/// consumed, the output not yet sent, and the rules every baseline shares for calling the protocol and naming why the
/// connection ended. A subclass owns the I/O loop (blocking or async) and ends it with <see cref="FinishInTurn"/>.
/// <para>
/// Protocol calls come from three places: the connection's own flow (received bytes), posted work and the protocol
/// timer (on the thread pool). Each call runs in a <em>turn</em>, a one-at-a-time lock held around the call and the
/// sending of what it wrote, so calls never overlap and output leaves in the order it was written. Requests to end the
/// connection may come from any thread, so each is a flag plus a wake-up of the call the loop is blocked in.
/// </para>
/// Split by concern: this file is the lifecycle, <c>SocketConnection.Turns.cs</c> the turn, posted work and the
/// protocol timer, <c>SocketConnection.Input.cs</c> receiving, suspending and resuming, <c>SocketConnection.Output.cs</c>
/// the output queue (bytes and files) and blocking sends.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "The turn's SemaphoreSlim never creates a wait handle, and posted work may still take it after the close, so it is never disposed.")]
internal abstract partial class SocketConnection : IConnection, IDrainingConnection
{
    /// <summary>Bytes read at once.</summary>
    protected const int ReceiveSize = 16 * 1024;

    private const int NoFailure = -1;

    private static long s_nextId;

    private readonly BaselineEngine _engine;
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
    private volatile bool _closed;

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

    /// <summary>Completes once the connection is closed, its buffers and files released, its protocol told, and the posted work queued by then has run.</summary>
    public Task Completion => _completion.Task;

    protected Socket Socket { get; }

    protected BaselineEngine Engine => _engine;

    /// <summary>The idle timeout in whole milliseconds (rounded up, so a tiny timeout is not read as disabled); 0 when disabled.</summary>
    protected int IdleTimeoutMs => (int)Math.Min(int.MaxValue, Math.Ceiling(_engine.Options.IdleTimeout.TotalMilliseconds));

    /// <summary>Set by a mode whose socket timeouts (SO_RCVTIMEO, SO_SNDTIMEO) implement the idle timeout.</summary>
    protected bool SocketTimeoutIsIdle { get; set; }

    /// <summary>Something asked the connection to end, or it failed: the loop reads no more.</summary>
    protected bool IsEnding => Volatile.Read(ref _requests) != 0 || Volatile.Read(ref _failure) != NoFailure;

    /// <summary>The end discards unsent output (an abort, a forced close, a failure) instead of sending it first.</summary>
    protected bool DiscardsOutput =>
        (Volatile.Read(ref _requests) & (int)(EndRequest.Abort | EndRequest.Kill)) != 0 || Volatile.Read(ref _failure) != NoFailure;

    /// <summary>The server's graceful stop reached the connection: the response written next is its last (HTTP/1.1 says Connection: close).</summary>
    public bool IsDraining => (Volatile.Read(ref _requests) & (int)EndRequest.Drain) != 0;

    /// <summary>The connection ends by a graceful stop alone (no abort, kill or failure): bytes the kernel holds are still served.</summary>
    protected bool EndsGracefully => Volatile.Read(ref _requests) == (int)EndRequest.Drain && Volatile.Read(ref _failure) == NoFailure;

    /// <summary>The connection is finished: socket closed, protocol told. Posted work may still run; nothing is sent any more.</summary>
    protected bool IsClosed => _closed;

    /// <summary>True on the thread running a protocol call of this connection, during the call.</summary>
    private bool IsInProtocolCall => Volatile.Read(ref _protocolThread) == Environment.CurrentManagedThreadId;

    public void Close() => Request(EndRequest.Close);

    public void Abort() => Request(EndRequest.Abort);

    public void SwitchProtocol(IConnectionProtocol protocol) => _protocol = protocol ?? throw new ArgumentNullException(nameof(protocol));

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
        WakeSuspendedLoop();
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

    /// <summary>In a turn: sets the socket up, creates the protocol and lets it speak first; false when the protocol failed.</summary>
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

    /// <summary>Records the first reason the connection failed; later ones are consequences of it.</summary>
    protected void Fail(CloseReason reason) => Interlocked.CompareExchange(ref _failure, (int)reason, NoFailure);

    /// <summary>
    /// After a turn off the connection's own flow (posted work, the timer): if it failed the connection, wake the flow,
    /// which may be blocked in a receive or waiting for input to resume, so it ends the connection.
    /// </summary>
    protected void WakeIfFailed()
    {
        if (Volatile.Read(ref _failure) != NoFailure && !_closed) Request(EndRequest.Abort);
    }

    /// <summary>Records why a socket call failed. A failure our own forced close or abort caused is named after that request.</summary>
    protected void FailIo(Exception e)
    {
        var error = (e as SocketException)?.SocketErrorCode;
        bool timedOut = error is SocketError.TimedOut or SocketError.WouldBlock;
        if (FailIo(IsPeerGone(error), timedOut) == CloseReason.Error) _engine.Logger.LogDebug(e, "connection {Id}: socket failed", Id);
    }

    /// <summary>Records why a native call on the socket (sendfile) failed; always false, for the caller to return.</summary>
    protected bool FailIo(Errno errno)
    {
        if (FailIo(errno.IsPeerGone(), timedOut: false) == CloseReason.Error) _engine.Logger.LogDebug("connection {Id}: socket failed: {Errno}", Id, errno);
        return false;
    }

    private CloseReason FailIo(bool peerGone, bool timedOut)
    {
        int requests = Volatile.Read(ref _requests);
        CloseReason reason;
        if ((requests & (int)EndRequest.Kill) != 0) reason = CloseReason.Shutdown;
        else if ((requests & (int)EndRequest.Abort) != 0) reason = CloseReason.Local;
        else if (SocketTimeoutIsIdle && timedOut) reason = CloseReason.IdleTimeout;
        else if (peerGone) reason = CloseReason.Reset;
        else reason = CloseReason.Error;
        Fail(reason);
        return reason;
    }

    /// <summary>True for the errors a socket with a send or receive timeout reports when the timeout passed.</summary>
    protected static bool IsTimeout(SocketException e) => e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock;

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

    /// <summary>Ends the connection from its own blocking flow: <see cref="FinishInTurn"/> in a turn, then completes once posted work has drained.</summary>
    protected void Finish()
    {
        EnterTurn();
        try
        {
            FinishInTurn();
        }
        finally
        {
            ExitTurn();
        }
        CompleteWhenDrained();
    }

    /// <summary>
    /// Ends the connection, once, in a turn (so no protocol call or send is in flight): closes the socket, releases
    /// every buffer, file and timer, tells the protocol why, frees its place. Then call <see cref="CompleteWhenDrained"/>.
    /// </summary>
    protected void FinishInTurn()
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
        // From here on the connection takes nothing new: files are disposed at once, timers and suspensions ignored.
        _closed = true;
        StopTimer();
        ClearOutput();
        _input.Clear();
        var protocol = _protocol;
        _protocol = null;
        if (protocol is not null)
        {
            _protocolThread = Environment.CurrentManagedThreadId;
            try
            {
                protocol.OnClosed(this, reason);
            }
            catch (Exception e)
            {
                _engine.Logger.LogError(e, "connection {Id}: protocol failed while closing", Id);
            }
            finally
            {
                _protocolThread = 0;
            }
            // Output written while closing can never be sent; it must not keep a block from the pool.
            ClearOutput();
        }
        _engine.Release(this);
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
