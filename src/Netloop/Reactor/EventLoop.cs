using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Netloop.Buffers;
using Netloop.Native;

namespace Netloop.Reactor;

/// <summary>
/// One event loop on one thread: it owns a poller, its handles, a timer wheel, a buffer pool and a scratch buffer, and
/// nothing in it is shared with other loops, so nothing on its hot path takes a lock. Other threads reach it only through
/// <see cref="Post(Action{object?}, object?)"/>, which queues work and wakes the loop through an eventfd.
/// </summary>
internal sealed class EventLoop : IDisposable
{
    /// <summary>Size of the per-loop receive buffer every connection of the loop reads into.</summary>
    public const int ScratchSize = 64 * 1024;

    private const ulong WakeToken = ulong.MaxValue;
    private const int MaxEventsPerWait = 512;

    private readonly IPoller _poller;
    private readonly HandleTable _handles = new();
    private readonly ReadyEvent[] _events = new ReadyEvent[MaxEventsPerWait];
    private readonly ConcurrentQueue<(Action<object?> Work, object? State, LoopHandle? FlushAfter)> _posted = new();
    private readonly List<LoopHandle> _flushList = new();
    private readonly List<LoopHandle> _flushing = new();
    private readonly List<LoopHandle> _readyList = new();
    private readonly List<LoopHandle> _readying = new();
    private readonly ILogger _logger;
    private readonly LoopClock _clock;
    private readonly int _wakeFd;
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _wakeHandle;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private int _wakeSignalled;
    private volatile bool _stopRequested;
    private bool _disposed;

    internal EventLoop(int index, IPoller poller, ILogger logger, int timerTickMs = 10, LoopClock? clock = null)
    {
        Index = index;
        _clock = clock ?? LoopClock.System;
        _poller = poller;
        _logger = logger;
        _wakeFd = Sys.EventFd();
        if (_wakeFd < 0) throw new NetloopException($"eventfd failed: {(Errno)(-_wakeFd)}");
        _wakeHandle = new Microsoft.Win32.SafeHandles.SafeFileHandle(_wakeFd, ownsHandle: true);
        int rc = _poller.Add(_wakeFd, WakeToken, Interest.Read);
        if (rc < 0) throw new NetloopException($"cannot watch the wake-up eventfd: {(Errno)(-rc)}");
        NowMs = _clock.NowMs;
        Timers = new TimerWheel(NowMs, timerTickMs);
        Scratch = GC.AllocateUninitializedArray<byte>(ScratchSize, pinned: true);
    }

    /// <summary>The loop's number, 0-based.</summary>
    public int Index { get; }

    /// <summary>The poller's name.</summary>
    public string PollerName => _poller.Name;

    /// <summary>True when the poller is edge-triggered (see <see cref="IPoller.IsEdgeTriggered"/>).</summary>
    internal bool IsEdgeTriggered => _poller.IsEdgeTriggered;

    /// <summary>The loop's clock: its timers, and every timeout of its connections, run on it.</summary>
    public LoopClock Clock => _clock;

    /// <summary>The time the current iteration started, in <see cref="Clock"/> milliseconds.</summary>
    public long NowMs { get; private set; }

    /// <summary>The loop's timers.</summary>
    public TimerWheel Timers { get; }

    /// <summary>The loop's buffer pool.</summary>
    public BufferPool Pool { get; } = new();

    /// <summary>The receive buffer shared by the loop's connections, pinned.</summary>
    internal byte[] Scratch { get; }

    /// <summary>Handles registered.</summary>
    public int HandleCount => _handles.Count;

    /// <summary>Managed bytes the loop thread has allocated, sampled once per iteration: the hot path's allocation meter.</summary>
    public long AllocatedBytes => Volatile.Read(ref _allocatedBytes);

    private long _allocatedBytes;

    /// <summary>Completes when the loop thread has exited.</summary>
    public Task Completion => _completion.Task;

    /// <summary>True on the loop's own thread.</summary>
    public bool IsOnLoopThread => Thread.CurrentThread == _thread;

    /// <summary>The loop thread's name; by default <c>netloop-{poller}-{index}</c>.</summary>
    internal string? ThreadName { get; init; }

    /// <summary>Starts the loop thread.</summary>
    public void Start()
    {
        _thread = new Thread(Run) { Name = ThreadName ?? $"netloop-{_poller.Name}-{Index}", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the loop thread soon. Safe from any thread.</summary>
    public void Post(Action<object?> work, object? state) => Post(work, state, null);

    /// <summary>Runs <paramref name="work"/> on the loop thread soon, then flushes <paramref name="flushAfter"/> at the end of that iteration.</summary>
    internal void Post(Action<object?> work, object? state, LoopHandle? flushAfter)
    {
        _posted.Enqueue((work, state, flushAfter));
        // One eventfd write per burst of posts: the loop clears the flag before it drains the queue.
        if (Interlocked.Exchange(ref _wakeSignalled, 1) == 0) Wake();
    }

    /// <summary>Asks the loop to exit after the current iteration. Safe from any thread.</summary>
    public void RequestStop()
    {
        _stopRequested = true;
        if (!IsOnLoopThread && Interlocked.Exchange(ref _wakeSignalled, 1) == 0) Wake();
    }

    /// <summary>
    /// Signals the eventfd unless the loop is disposed. The fd is reference-counted through a SafeHandle, so a late Post
    /// can never write into a number the kernel has since handed to another socket.
    /// </summary>
    private void Wake()
    {
        bool added = false;
        try
        {
            _wakeHandle.DangerousAddRef(ref added);
            Sys.SignalEventFd(_wakeFd);
        }
        catch (ObjectDisposedException)
        {
            // The loop is gone; nothing will run the work.
        }
        finally
        {
            if (added) _wakeHandle.DangerousRelease();
        }
    }

    internal int Register(LoopHandle handle, int fd, Interest interest)
    {
        _handles.Add(handle);
        int rc = _poller.Add(fd, handle.Token, interest);
        if (rc < 0) _handles.Remove(handle);
        return rc;
    }

    internal int ChangeInterest(LoopHandle handle, int fd, Interest interest) => _poller.Modify(fd, handle.Token, interest);

    /// <summary>Forgets a handle; <paramref name="fdStaysOpen"/> says the poller must drop it explicitly (closing the fd does that otherwise for epoll).</summary>
    internal void Unregister(LoopHandle handle, int fd, bool fdStaysOpen)
    {
        if (fdStaysOpen || !_poller.IsEdgeTriggered) _poller.Remove(fd);
        _handles.Remove(handle);
        Timers.Cancel(handle);
    }

    internal List<LoopHandle> SnapshotHandles() => _handles.Snapshot();

    /// <summary>Calls <see cref="LoopHandle.OnFlush"/> at the end of this iteration (once, however often asked).</summary>
    internal void ScheduleFlush(LoopHandle handle)
    {
        if (handle.InFlushList) return;
        handle.InFlushList = true;
        _flushList.Add(handle);
    }

    /// <summary>Calls <see cref="LoopHandle.OnReady"/> with <see cref="Readiness.Readable"/> in the next iteration without waiting for the kernel.</summary>
    internal void ScheduleReady(LoopHandle handle)
    {
        if (handle.InReadyList) return;
        handle.InReadyList = true;
        _readyList.Add(handle);
    }

    private void Run()
    {
        try
        {
            while (!_stopRequested) RunOnce();
            // Free slabs go back to the GC now, on the pool's own thread: after a burst (10k connections holding
            // 32 KiB each) the stopped loop's free lists would otherwise still hold hundreds of MiB when the shutdown
            // audit measures the heap, and report a leak that is only a cache.
            Pool.Trim();
        }
        catch (Exception e)
        {
            _logger.LogCritical(e, "event loop {Index} failed", Index);
            _completion.TrySetException(e);
            return;
        }
        _completion.TrySetResult();
    }

    /// <summary>One iteration, in libuv's order: wait for I/O, dispatch it, resume deferred handles, run posted work, expire timers, flush output.</summary>
    internal void RunOnce()
    {
        // A flush queued during the last flush phase (a drained listener wrote more: HTTP/2 refilling its window) must
        // not wait for the next wake-up: without _flushList here a large HTTP/2 response stalled once the socket drained.
        bool workWaiting = _readyList.Count > 0 || _flushList.Count > 0 || !_posted.IsEmpty || _stopRequested;
        int timeout = workWaiting ? 0 : Timers.MillisecondsUntilNext(NowMs);
        int count = _poller.Wait(_events, timeout);
        NowMs = _clock.NowMs;
        for (int i = 0; i < count; i++) Dispatch(_events[i]);
        RunReadyList();
        RunPosted();
        Timers.Advance(NowMs);
        RunFlushList();
        Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
    }

    private void Dispatch(in ReadyEvent ready)
    {
        if (ready.Token == WakeToken)
        {
            // Drain first, then clear: a Post landing between the two would otherwise have its signal drained while the
            // flag stays set, and every later Post would skip the write (a lost wake-up).
            Sys.DrainEventFd(_wakeFd);
            Volatile.Write(ref _wakeSignalled, 0);
            return;
        }
        var handle = _handles.Find(ready.Token);
        if (handle is null) return; // closed earlier in this batch, slot maybe reused: a stale event
        try
        {
            handle.OnReady(ready.Readiness);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "loop {Index}: unhandled error in an event handler", Index);
        }
    }

    private void RunReadyList() => RunDeferred(_readyList, _readying, flush: false);

    private void RunPosted()
    {
        // Work posted while this runs waits for the next iteration, so a busy poster cannot starve I/O.
        int budget = _posted.Count;
        while (budget-- > 0 && _posted.TryDequeue(out var item))
        {
            try
            {
                item.Work(item.State);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "loop {Index}: posted work failed", Index);
            }
            if (item.FlushAfter is { Slot: >= 0 } handle) ScheduleFlush(handle);
        }
    }

    private void RunFlushList() => RunDeferred(_flushList, _flushing, flush: true);

    /// <summary>Runs the handles queued during this iteration; ones queued meanwhile wait for the next.</summary>
    private void RunDeferred(List<LoopHandle> queued, List<LoopHandle> running, bool flush)
    {
        if (queued.Count == 0) return;
        running.AddRange(queued);
        queued.Clear();
        foreach (var handle in running)
        {
            if (flush) handle.InFlushList = false;
            else handle.InReadyList = false;
            if (handle.Slot < 0) continue; // closed since it was queued
            try
            {
                if (flush) handle.OnFlush();
                else handle.OnReady(Readiness.Readable);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "loop {Index}: unhandled error in a deferred handler", Index);
            }
        }
        running.Clear();
    }

    /// <summary>Releases the poller and the eventfd. Call after <see cref="Completion"/>; the loop's handles must be closed already.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _poller.Dispose();
        _wakeHandle.Dispose(); // closes the eventfd once no Wake() holds it
    }
}
