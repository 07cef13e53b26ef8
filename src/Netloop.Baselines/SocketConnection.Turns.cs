using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Netloop.Transport;

namespace Netloop.Baselines;

/// <summary>
/// The turn, and the protocol calls that come from other threads: posted work and the protocol timer. Posted work
/// queues here and one drainer at a time runs it on the thread pool, each round in a turn followed by a send, so work
/// posted from inside a protocol call simply waits for that call's turn to end.
/// </summary>
internal abstract partial class SocketConnection
{
    // System.Threading.Timer accepts at most 0xfffffffe ms.
    private const long MaxTimerMs = uint.MaxValue - 1L;

    private static readonly Action<object?> s_fireTimer = static self => ((SocketConnection)self!).FireTimer();
    private static readonly Action<object?> s_nothing = static _ => { };

    // A semaphore rather than a Monitor: the async mode holds the turn across awaits (a send), on whichever thread resumes.
    private readonly SemaphoreSlim _turn = new(1, 1);
    // Created on the first post: an empty ConcurrentQueue already holds a 32-slot segment, a cost an idle connection should not pay.
    private ConcurrentQueue<(Action<object?> Work, object? State)>? _posted;
    private int _draining;
    private Timer? _timer;
    private long _timerDueMs = long.MaxValue;

    public void Post(Action<object?> work, object? state)
    {
        ArgumentNullException.ThrowIfNull(work);
        var posted = Volatile.Read(ref _posted) ?? CreatePostedQueue();
        posted.Enqueue((work, state));
        if (Interlocked.Exchange(ref _draining, 1) == 0) StartDraining();
    }

    /// <remarks>Call in a protocol call or posted work, as <see cref="IConnection"/> asks.</remarks>
    public void SetTimer(TimeSpan? dueIn)
    {
        if (_closed) return;
        if (dueIn is not { } due)
        {
            // A tick already on its way finds nothing due and does nothing.
            _timerDueMs = long.MaxValue;
            _timer?.Change(Timeout.Infinite, Timeout.Infinite);
            return;
        }
        long ms = Math.Clamp((long)Math.Ceiling(due.TotalMilliseconds), 0, MaxTimerMs);
        _timerDueMs = Reactor.LoopClock.System.NowMs + ms;
        _timer ??= CreateTimer();
        _timer.Change(ms, Timeout.Infinite);
    }

    /// <summary>Starts a drainer of the posted work on the thread pool: it repeats turns of <see cref="RunPosted"/> plus a send until <see cref="ContinueDraining"/> says stop.</summary>
    protected abstract void StartDraining();

    /// <summary>Waits for the connection's turn (blocking).</summary>
    protected void EnterTurn() => _turn.Wait();

    /// <summary>Waits for the connection's turn.</summary>
    protected Task EnterTurnAsync() => _turn.WaitAsync();

    protected void ExitTurn() => _turn.Release();

    /// <summary>
    /// In a turn: runs the posted work queued so far, in order, then offers input again if the work resumed it. Work
    /// queued meanwhile waits for the drainer's next round, so the send in between is not starved. After the close,
    /// work still runs (its continuations must complete), but what it writes is dropped.
    /// </summary>
    protected void RunPosted()
    {
        var posted = _posted!;
        for (int budget = posted.Count; budget > 0 && posted.TryDequeue(out var item); budget--)
        {
            _protocolThread = Environment.CurrentManagedThreadId;
            try
            {
                item.Work(item.State);
            }
            catch (Exception e) when (_closed)
            {
                _engine.Logger.LogError(e, "connection {Id}: posted work failed after the connection closed", Id);
            }
            catch (Exception e)
            {
                FailProtocol(e);
            }
            finally
            {
                _protocolThread = 0;
            }
        }
        if (_closed) ClearOutput();
        else OfferResumedInput();
    }

    /// <summary>Whether the drainer sends after <see cref="RunPosted"/>: not once the connection is closed or its output is being discarded.</summary>
    protected bool SendsPostedOutput => !_closed && !DiscardsOutput;

    /// <summary>
    /// Ends a drainer's round: true when more work arrived and this drainer takes another round. Otherwise the drainer
    /// stops, completing <see cref="Completion"/> if the connection finished while it ran.
    /// </summary>
    protected bool ContinueDraining()
    {
        Interlocked.Exchange(ref _draining, 0);
        if (!_posted!.IsEmpty && Interlocked.CompareExchange(ref _draining, 1, 0) == 0) return true;
        if (_closed && Volatile.Read(ref _draining) == 0) _completion.TrySetResult();
        return false;
    }

    /// <summary>After <see cref="FinishInTurn"/>, out of the turn: completes <see cref="Completion"/> unless a drainer is still going (it completes it when it stops).</summary>
    protected void CompleteWhenDrained()
    {
        // Pairs with the exchange in ContinueDraining: one of the two sees the other's write.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _draining) == 0) _completion.TrySetResult();
    }

    private ConcurrentQueue<(Action<object?> Work, object? State)> CreatePostedQueue()
    {
        var created = new ConcurrentQueue<(Action<object?> Work, object? State)>();
        return Interlocked.CompareExchange(ref _posted, created, null) ?? created;
    }

    private Timer CreateTimer()
    {
        // The timer outlives the protocol call that armed it; it must not keep that call's async-local state alive.
        if (ExecutionContext.IsFlowSuppressed()) return NewTimer();
        using (ExecutionContext.SuppressFlow()) return NewTimer();
    }

    private Timer NewTimer() =>
        new(static self => ((SocketConnection)self!).Post(s_fireTimer, self), this, Timeout.Infinite, Timeout.Infinite);

    /// <summary>Posted by the timer: calls <see cref="IConnectionProtocol.OnTimer"/> if the protocol's due time has come.</summary>
    private void FireTimer()
    {
        // Disarmed, or already fired, since the timer elapsed.
        if (_closed || _timerDueMs == long.MaxValue) return;
        long early = _timerDueMs - Reactor.LoopClock.System.NowMs;
        if (early > 0)
        {
            // Re-armed for later meanwhile (or the clocks disagree by a tick): wait for the real due time.
            _timer?.Change(Math.Min(early, MaxTimerMs), Timeout.Infinite);
            return;
        }
        _timerDueMs = long.MaxValue;
        _protocol?.OnTimer(this);
    }

    private void StopTimer()
    {
        _timerDueMs = long.MaxValue;
        _timer?.Dispose();
        _timer = null;
    }

    /// <summary>An empty piece of posted work: its turn sends pending output and offers resumed input.</summary>
    private void PostNothing() => Post(s_nothing, null);
}
