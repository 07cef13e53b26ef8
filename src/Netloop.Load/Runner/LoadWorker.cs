using System.Diagnostics;
using System.Net;
using Netloop.Client;
using Netloop.Load.Echo;
using Netloop.Load.Http;
using Netloop.Load.Http2;
using Netloop.Load.Stats;
using Netloop.Load.Targets;
using Netloop.Transport;
using Netloop.Transport.Tls;

namespace Netloop.Load.Runner;

/// <summary>
/// The load one client loop carries: its connection slots, its share of a <c>--requests</c> budget, its counters, and
/// the slots waiting to retry a failed connect. Everything here runs on that loop's thread, except the few fields the
/// runner reads for progress and end-of-run decisions (read with <see cref="Volatile"/>).
/// </summary>
internal sealed class LoadWorker
{
    private static readonly Action<object?> s_begin = static state => ((LoadWorker)state!).Begin();
    private static readonly Action<object?> s_retry = static state => ((LoadWorker)state!).RetryFailedConnects();
    private static readonly Action<object?> s_stop = static state => ((LoadWorker)state!).Stop();
    private static readonly Action<object?> s_startNext = static state => ((LoadWorker)state!).StartNextIdleSlot();

    private readonly List<ConnectionSlot> _slots = [];
    private readonly List<ConnectionSlot> _retry = [];
    private readonly List<ConnectionSlot> _retrying = [];
    private long _budget;
    private long _inFlight;
    private int _firstAttemptFailures;
    private int _firstFailure = -1;
    private long _doneTicks;
    private bool _stopping;
    private int _nextSlot;

    /// <param name="plan">The run's shared plan.</param>
    /// <param name="budget">Requests this worker may send (<see cref="long.MaxValue"/>: no limit).</param>
    public LoadWorker(RunPlan plan, long budget)
    {
        Plan = plan;
        _budget = budget;
    }

    public RunPlan Plan { get; }

    public LoopStats Stats { get; } = new();

    /// <summary>Set once before <see cref="Begin"/>.</summary>
    public IConnector Connector { get; set; } = null!;

    /// <summary>TLS targets: this loop's TLS endpoint (its sessions and handshake counters); set once before <see cref="Begin"/>.</summary>
    public TlsClientEndpoint? Tls { get; set; }

    /// <summary>The clock, in <see cref="Stopwatch"/> ticks; tests replace it to step time by hand.</summary>
    public Func<long> Clock { get; init; } = Stopwatch.GetTimestamp;

    public IReadOnlyList<ConnectionSlot> Slots => _slots;

    /// <summary>No more requests are sent and nothing more is counted: the deadline passed or the runner is stopping.</summary>
    public bool IsStopping => _stopping;

    /// <summary>Requests left to send (<see cref="long.MaxValue"/> when unlimited).</summary>
    public bool HasBudget => _budget > 0;

    /// <summary>Slots whose first connect failed (read by the runner).</summary>
    public int FirstAttemptFailures => Volatile.Read(ref _firstAttemptFailures);

    /// <summary>How the first failed first attempt failed; null when none has.</summary>
    public ConnectError? FirstFailure
    {
        get
        {
            int value = Volatile.Read(ref _firstFailure);
            return value < 0 ? null : (ConnectError)value;
        }
    }

    /// <summary>When the budget ran out and the last response came back (0 while there is more to do, or without a budget).</summary>
    public long DoneTicks => Volatile.Read(ref _doneTicks);

    /// <summary>Adds a slot for connection number <paramref name="index"/> of the run, connecting from <paramref name="source"/>.</summary>
    public ConnectionSlot AddSlot(int index, IPAddress? source)
    {
        ConnectionSlot slot = Plan.Protocol switch
        {
            TargetProtocol.Http => new HttpSlot(this, index, source),
            TargetProtocol.Http2 => new Http2IdleSlot(this, index, source),
            _ => new EchoSlot(this, index, source),
        };
        _slots.Add(slot);
        return slot;
    }

    /// <summary>Asks the loop to open every slot's connection.</summary>
    public void PostBegin() => Connector.Post(s_begin, this);

    /// <summary>Asks the loop to retry the connects that failed since the last call (the runner calls this on its tick).</summary>
    public void PostRetry() => Connector.Post(s_retry, this);

    /// <summary>Asks the loop to stop sending and counting.</summary>
    public void PostStop() => Connector.Post(s_stop, this);

    /// <summary>Opens every slot's first connection (loop thread).</summary>
    public void Begin()
    {
        if (Plan.Options.Requests > 0 && _budget == 0) MarkDone(Clock());
        // An idle run opens its connections a batch at a time (see LoadOptions.IdleBatch); any other run opens them all.
        int first = Plan.Idle ? Math.Min(_slots.Count, Plan.IdleBatchPerLoop) : _slots.Count;
        for (_nextSlot = 0; _nextSlot < first; _nextSlot++) _slots[_nextSlot].Start();
    }

    /// <summary>An idle slot's one request ended (answered or failed): the next slot may open its connection.</summary>
    /// <remarks>Posted, so the next connect never starts inside the callback of the connection that was just answered.</remarks>
    public void OnIdleRequestEnded() => Connector.Post(s_startNext, this);

    private void StartNextIdleSlot()
    {
        if (_stopping || _nextSlot >= _slots.Count) return;
        _slots[_nextSlot++].Start();
    }

    /// <summary>Stops sending and counting (loop thread).</summary>
    public void Stop() => _stopping = true;

    /// <summary>A response arrived at or after the deadline: from now on nothing is sent or counted.</summary>
    public void DeadlinePassed() => _stopping = true;

    /// <summary>A slot sent a request.</summary>
    public void OnIssued()
    {
        _budget--;
        _inFlight++;
    }

    /// <summary><paramref name="count"/> requests ended (answered, failed, or lost with their connection).</summary>
    public void OnEnded(int count, long nowTicks)
    {
        _inFlight -= count;
        if (_budget == 0 && _inFlight == 0 && Plan.Options.Requests > 0) MarkDone(nowTicks);
    }

    /// <summary>A slot's connect failed; it is retried on the runner's next tick rather than at once, so a refused target is not hammered in a tight loop.</summary>
    public void OnConnectFailed(ConnectionSlot slot, ConnectError error, bool firstAttempt)
    {
        if (firstAttempt)
        {
            Interlocked.CompareExchange(ref _firstFailure, (int)error, -1);
            Volatile.Write(ref _firstAttemptFailures, _firstAttemptFailures + 1);
        }
        _retry.Add(slot);
    }

    /// <summary>Reconnects <paramref name="slot"/> from posted work: never inside the callback of the connection that just closed.</summary>
    public void ScheduleReconnect(ConnectionSlot slot) => Connector.Post(ConnectionSlot.ReconnectWork, slot);

    private void RetryFailedConnects()
    {
        if (_retry.Count == 0) return;
        // Swapped out first: a retry that fails at once is reported from posted work, after this loop is done.
        _retrying.AddRange(_retry);
        _retry.Clear();
        foreach (var slot in _retrying) slot.Reconnect();
        _retrying.Clear();
    }

    private void MarkDone(long nowTicks)
    {
        if (Volatile.Read(ref _doneTicks) == 0) Volatile.Write(ref _doneTicks, Math.Max(1, nowTicks));
    }
}
