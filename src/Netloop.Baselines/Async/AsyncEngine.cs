using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netloop.Buffers;
using Netloop.Server;
using Netloop.Transport;

namespace Netloop.Baselines.Async;

/// <summary>
/// What the async designs share, none of it a design choice: the listener, an accept that stops cleanly, the
/// <see cref="AsyncEchoHandler"/>, a pool for its buffers, the ledger the shutdown audit reads, and a stop in two steps:
/// first the handlers' slow work is cancelled (<see cref="Stopping"/>), then, after the shutdown timeout, their I/O
/// (<see cref="Abort"/>). Each design in its own subclass decides how connection tasks are started, tracked and awaited.
/// </summary>
// The token sources are not disposed: handlers a design failed to stop may still hold their tokens (a disposed source
// throws on Register), and a stopped engine's CancelAfter timer has fired or is released at collection.
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "see above")]
internal abstract class AsyncEngine : IServerEngine
{
    // Beyond the shutdown timeout (when the I/O is aborted), how long the design may take to notice.
    private static readonly TimeSpan s_abortGrace = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly AcceptFailures _acceptFailures;
    private readonly object _gate = new();
    private readonly long _unobservedAtStart = UnobservedTaskExceptions.Count;
    private Socket? _listener;
    private IPEndPoint? _localEndPoint;
    private Task _serving = Task.CompletedTask;
    private Task? _stop;

    protected AsyncEngine(EngineContext context, TimeSpan handlerDelay)
    {
        Context = context;
        Options = context.Options;
        HandlerDelay = handlerDelay;
        Logger = context.Loggers.CreateLogger($"Netloop.{GetType().Name}");
        Limit = context.Limit;
        _acceptFailures = new AcceptFailures(Counters, Logger);
    }

    /// <summary>The mode, the settings and the shared limit this engine was made with.</summary>
    public EngineContext Context { get; }

    public ServerOptions Options { get; }

    /// <summary>The handler's slow work after the echo.</summary>
    public TimeSpan HandlerDelay { get; }

    public ILogger Logger { get; }

    /// <summary>The handlers' buffers; every rented block must be back after the stop.</summary>
    public BufferPool Pool { get; } = new(threadSafe: true);

    public TaskLedger Ledger { get; } = new();

    public ConnectionCounters Counters { get; } = new();

    public ServeLimit Limit { get; }

    public IPEndPoint LocalEndPoint => _localEndPoint ?? throw new InvalidOperationException("the server is not started");

    public long UnfinishedTasks => Ledger.UnfinishedTasks;

    public long UnobservedExceptions => UnobservedTaskExceptions.Count - _unobservedAtStart;

    /// <summary>Cancelled when the stop begins: handlers give up their slow work.</summary>
    protected CancellationToken Stopping => _stopping.Token;

    /// <summary>Cancelled when the shutdown timeout has passed: handlers' socket I/O is aborted.</summary>
    protected CancellationToken Abort => _abort.Token;

    public void Start()
    {
        var listener = ManagedListenSocket.Open(Options, out var bound);
        _listener = listener;
        _localEndPoint = bound;
        _serving = Task.Run(() => ServeAsync(listener));
    }

    /// <summary>The design: accept with <see cref="AcceptAsync"/> until it returns null, run handlers, and return when the design considers itself stopped.</summary>
    protected abstract Task ServeAsync(Socket listener);

    public Task StopAsync(TimeSpan timeout)
    {
        lock (_gate) return _stop ??= StopCoreAsync(timeout);
    }

    private async Task StopCoreAsync(TimeSpan timeout)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        // On Linux, disposing the listener fails a pending accept at once.
        _listener?.Dispose();
        if (timeout.TotalMilliseconds < int.MaxValue) _abort.CancelAfter(timeout);
        try
        {
            await _serving.WaitAsync(timeout + s_abortGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Logger.LogError("the {Mode} design did not finish within {Timeout} of the stop", Context.Mode.Name(), timeout + s_abortGrace);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "the {Mode} design failed while stopping", Context.Mode.Name());
        }
    }

    /// <summary>The next accepted socket within the serve limit, or null once the server is stopping.</summary>
    protected async Task<Socket?> AcceptAsync(Socket listener)
    {
        while (!Stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                // The token as well as the listener's disposal: a cancelled token always completes the accept, whatever
                // the disposal races with (CI once saw an async-waiter2 stop never finish after every connection had
                // closed; an accept left pending is the likely cause, not a proven one).
                socket = await listener.AcceptAsync(Stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (SocketException) when (Stopping.IsCancellationRequested)
            {
                return null;
            }
            catch (SocketException e)
            {
                var pause = _acceptFailures.OnError(e);
                if (pause > TimeSpan.Zero) await Task.Delay(pause).ConfigureAwait(false);
                continue;
            }
            Interlocked.Increment(ref Counters.Accepted);
            if (!Limit.TryTake())
            {
                Interlocked.Increment(ref Counters.Rejected);
                socket.Dispose();
                continue;
            }
            socket.NoDelay = Options.NoDelay;
            Ledger.SocketOpened();
            return socket;
        }
        return null;
    }

    /// <summary>Runs the handler on <paramref name="socket"/> with the engine's stop tokens.</summary>
    protected Task HandleAsync(Socket socket) => AsyncEchoHandler.HandleAsync(this, socket, Stopping, Abort);

    /// <summary>Awaits <paramref name="handler"/> and observes its failure, if any, instead of throwing it.</summary>
    protected async Task AwaitObservedAsync(Task handler)
    {
        try
        {
            await handler.ConfigureAwait(false);
        }
        catch (Exception)
        {
            Observe(handler);
        }
    }

    /// <summary>Takes note of a finished handler's failure: a design that awaits its tasks sees every one.</summary>
    protected void Observe(Task handler)
    {
        if (handler.Exception is { } e) Logger.LogDebug(e.GetBaseException(), "a connection handler failed");
    }

    internal void CountReceived(int n) => Interlocked.Add(ref Counters.BytesReceived, n);

    internal void CountSent(int n) => Interlocked.Add(ref Counters.BytesSent, n);

    public ServerStats GetStats() => ServerStats.From(Counters, Ledger.OpenSockets, Pool.OutstandingBlocks, Pool.PeakOutstandingBytes);
}
