using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netloop.Buffers;
using Netloop.Protocols;
using Netloop.Server;
using Netloop.Transport;

namespace Netloop.Baselines;

/// <summary>
/// What the serial, threads and sockets modes share: one listening <see cref="Socket"/>, one thread-safe buffer pool,
/// the connection limit, the counters, the set of open connections, and the graceful stop. A mode only decides how
/// connections are accepted and on which thread or task each one runs.
/// </summary>
internal abstract class BaselineEngine : IServerEngine
{
    /// <summary>How long accepting pauses after a failure such as EMFILE, as the reactor does.</summary>
    // After the shutdown timeout the remaining sockets are disposed, which fails their blocked calls at once; this
    // only bounds the wait for a protocol that never returns.
    private static readonly TimeSpan ForcedCloseGrace = TimeSpan.FromSeconds(5);

    private readonly HashSet<SocketConnection> _open = new();
    private readonly List<Thread> _threads = new();
    private readonly ConnectionLimiter _limiter;
    private readonly RateLimitedLog _overLimitLog;
    private readonly AcceptFailures _acceptFailures;
    private readonly object _stopGate = new();
    private Socket? _listener;
    private IPEndPoint? _localEndPoint;
    private Task _acceptLoop = Task.CompletedTask;
    private Task? _stopping;
    private bool _stopRequested;
    private int _pruneThreadsAt = 64;

    protected BaselineEngine(EngineContext context, IConnectionProtocolFactory protocols)
    {
        Options = context.Options;
        Protocols = protocols;
        Logger = context.Loggers.CreateLogger($"Netloop.{context.Mode}");
        _limiter = new ConnectionLimiter(Options.MaxConnections);
        Limit = context.Limit;
        _overLimitLog = new RateLimitedLog(Logger, LogLevel.Warning, $"connection limit {Options.MaxConnections} reached: closing new connections");
        _acceptFailures = new AcceptFailures(Counters, Logger);
    }

    public ServerOptions Options { get; }

    public IConnectionProtocolFactory Protocols { get; }

    public ILogger Logger { get; }

    /// <summary>Shared by every connection of the engine, so it locks; the baselines pay that cost by design.</summary>
    public BufferPool Pool { get; } = new(threadSafe: true);

    public ConnectionCounters Counters { get; } = new();

    public ServeLimit Limit { get; }

    public IPEndPoint LocalEndPoint => _localEndPoint ?? throw new InvalidOperationException("the server is not started");

    /// <summary>True once <see cref="StopAsync"/> began: accept loops end and new connections are closed at once.</summary>
    protected bool IsStopping => Volatile.Read(ref _stopRequested);

    public void Start()
    {
        var listener = ManagedListenSocket.Open(Options, out var bound);
        _listener = listener;
        _localEndPoint = bound;
        try
        {
            _acceptLoop = StartAccepting(listener);
        }
        catch
        {
            _listener = null;
            _localEndPoint = null;
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Starts the mode's accept loop on <paramref name="listener"/>; the task completes once the loop has ended, after the listener is disposed.</summary>
    protected abstract Task StartAccepting(Socket listener);

    public Task StopAsync(TimeSpan timeout)
    {
        lock (_stopGate) return _stopping ??= Task.Run(() => StopCoreAsync(timeout));
    }

    private async Task StopCoreAsync(TimeSpan timeout)
    {
        SocketConnection[] draining;
        lock (_open)
        {
            _stopRequested = true;
            draining = [.. _open];
        }
        // On Linux, disposing the listener wakes an accept blocked on it (the runtime shuts the socket down first).
        _listener?.Dispose();
        foreach (var connection in draining) connection.BeginShutdown();
        var finished = Task.WhenAll(draining.Select(c => c.Completion).Append(_acceptLoop));
        if (!await CompletesWithin(finished, timeout).ConfigureAwait(false))
        {
            SocketConnection[] remaining;
            lock (_open) remaining = [.. _open];
            Logger.LogWarning("{Count} connections still open after the {Timeout} shutdown timeout; closing them", remaining.Length, timeout);
            foreach (var connection in remaining) connection.ForceClose();
            if (!await CompletesWithin(finished, ForcedCloseGrace).ConfigureAwait(false))
            {
                Logger.LogError("{Count} connections did not finish after being closed; a protocol call may be stuck", OpenCount);
                return;
            }
        }
        JoinThreads();
    }

    // A thread that completed its task is only returning; joining it makes "no thread of ours is left" exact.
    private void JoinThreads()
    {
        Thread[] threads;
        lock (_threads)
        {
            threads = [.. _threads];
            _threads.Clear();
        }
        foreach (var thread in threads)
        {
            if (!thread.Join(ForcedCloseGrace)) Logger.LogError("thread {Name} did not end", thread.Name);
        }
    }

    private static async Task<bool> CompletesWithin(Task task, TimeSpan timeout)
    {
        // WaitAsync rejects spans beyond ~49 days; a wait that long is a wait forever.
        if (timeout.TotalMilliseconds >= int.MaxValue) timeout = Timeout.InfiniteTimeSpan;
        try
        {
            await task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Takes a freshly accepted connection into the open set, or closes its socket at once when the connection limit is
    /// reached or the server is stopping. A connection admitted before the stop began is drained by it; none is admitted after.
    /// </summary>
    protected bool Admit(SocketConnection connection)
    {
        if (!Limit.TryTake())
        {
            Interlocked.Increment(ref Counters.Rejected);
            connection.Reject();
            return false;
        }
        if (!_limiter.TryAcquire())
        {
            Interlocked.Increment(ref Counters.Rejected);
            _overLimitLog.Hit(Reactor.LoopClock.System.NowMs);
            connection.Reject();
            return false;
        }
        lock (_open)
        {
            if (!_stopRequested)
            {
                _open.Add(connection);
                Interlocked.Increment(ref Counters.Accepted);
                return true;
            }
        }
        _limiter.Release();
        connection.Reject();
        return false;
    }

    /// <summary>Counts a connection closing, and why; called once per admitted connection, just before its socket is closed.</summary>
    public void CountClose(CloseReason reason)
    {
        Interlocked.Increment(ref Counters.Closed);
        Counters.Count(reason);
    }

    /// <summary>Frees the place of a connection whose socket is closed and whose buffers are returned; called once per admitted connection.</summary>
    public void Release(SocketConnection connection)
    {
        _limiter.Release();
        lock (_open) _open.Remove(connection);
    }

    /// <summary>Blocks for the next connection; null once the server stops.</summary>
    protected Socket? AcceptBlocking(Socket listener)
    {
        while (!IsStopping)
        {
            try
            {
                return listener.Accept();
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (Exception e) when (!IsStopping)
            {
                var pause = OnAcceptError(e);
                if (pause > TimeSpan.Zero) Thread.Sleep(pause);
            }
            catch (SocketException)
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>Counts and logs a failed accept; returns how long to pause before the next one.</summary>
    protected TimeSpan OnAcceptError(Exception e) => _acceptFailures.OnError(e);

    /// <summary>Runs <paramref name="body"/> on a new background thread; the task completes when the body has returned.</summary>
    protected Task RunOnNewThread(string name, Action body, int maxStackSize = 0)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                // An exception escaping a thread would end the process; a server thread logs it and ends alone.
                Logger.LogError(e, "thread {Name} failed", name);
            }
            finally
            {
                done.TrySetResult();
            }
        }, maxStackSize)
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        lock (_threads)
        {
            // Ended threads are dropped now and then, so a long-running server keeps a list about as long as its connections.
            if (_threads.Count >= _pruneThreadsAt)
            {
                _threads.RemoveAll(static t => !t.IsAlive);
                _pruneThreadsAt = Math.Max(64, 2 * _threads.Count);
            }
            _threads.Add(thread);
        }
        return done.Task;
    }

    private int OpenCount
    {
        get
        {
            lock (_open) return _open.Count;
        }
    }

    public ServerStats GetStats() => ServerStats.From(Counters, OpenCount, Pool.OutstandingBlocks, Pool.PeakOutstandingBytes);
}
