using System.Globalization;
using Netloop.Reactor;

namespace Netloop.Tests.Reactor;

/// <summary>
/// An <see cref="IPoller"/> that records every call and reports what the test scripts, so the event loop's own logic
/// (wake-up, dispatch, stale tokens) is tested without the kernel's readiness machinery. The one real thing it watches
/// is the loop's wake-up eventfd, read without consuming it from <c>/proc/self/fdinfo</c> (its <c>eventfd-count</c>):
/// a Wait reports the wake token exactly when a real poller would, i.e. when someone has written the eventfd.
/// </summary>
internal sealed class FakePoller : IPoller
{
    private const ulong WakeToken = ulong.MaxValue;

    // A Wait(-1) that nothing wakes is a lost wake-up: fail the test instead of hanging the run.
    private static readonly TimeSpan LostWakeUpGuard = TimeSpan.FromSeconds(30);

    private readonly object _gate = new();
    private readonly Queue<ReadyEvent[]> _scripted = new();
    private readonly List<string> _calls = new();
    private readonly List<int> _timeouts = new();
    private int _wakeFd = -1;

    public string Name => "fake";

    public bool IsEdgeTriggered { get; init; } = true;

    /// <summary>Set while a Wait is blocked with a non-zero timeout.</summary>
    public ManualResetEventSlim Blocked { get; } = new();

    /// <summary>Every call so far, as "Add fd token interest", "Modify …", "Remove fd", "Wait timeout -> n".</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_gate) return _calls.ToList();
        }
    }

    /// <summary>The timeouts every Wait was called with, in order.</summary>
    public IReadOnlyList<int> WaitTimeouts
    {
        get
        {
            lock (_gate) return _timeouts.ToList();
        }
    }

    public bool Disposed { get; private set; }

    /// <summary>The loop's eventfd (registered under the wake token), or -1 before the loop registered it.</summary>
    public int WakeFd => _wakeFd;

    /// <summary>The eventfd counter as the kernel holds it: 0 when no wake-up is pending.</summary>
    public long PendingWakeCount
    {
        get
        {
            foreach (string line in File.ReadLines($"/proc/self/fdinfo/{_wakeFd}"))
            {
                if (line.StartsWith("eventfd-count:", StringComparison.Ordinal))
                {
                    return long.Parse(line["eventfd-count:".Length..].Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                }
            }
            throw new InvalidOperationException($"fd {_wakeFd} is not an eventfd");
        }
    }

    /// <summary>Queues events the next Wait reports (before the wake token, if that is pending too).</summary>
    public void Script(params ReadyEvent[] events)
    {
        lock (_gate) _scripted.Enqueue(events);
    }

    public int Add(int fd, ulong token, Interest interest)
    {
        if (token == WakeToken) _wakeFd = fd;
        Record($"Add {fd} {token} {interest}");
        return 0;
    }

    public int Modify(int fd, ulong token, Interest interest)
    {
        Record($"Modify {fd} {token} {interest}");
        return 0;
    }

    public void Remove(int fd) => Record($"Remove {fd}");

    public int Wait(Span<ReadyEvent> events, int timeoutMs)
    {
        lock (_gate) _timeouts.Add(timeoutMs);
        int count = 0;
        lock (_gate)
        {
            if (_scripted.TryDequeue(out var batch))
            {
                batch.CopyTo(events);
                count = batch.Length;
            }
        }
        if (count == 0 && timeoutMs != 0 && PendingWakeCount == 0)
        {
            Blocked.Set();
            var deadline = DateTime.UtcNow + (timeoutMs < 0 ? LostWakeUpGuard : TimeSpan.FromMilliseconds(timeoutMs));
            while (PendingWakeCount == 0 && DateTime.UtcNow < deadline) Thread.Sleep(1);
            Blocked.Reset();
            if (timeoutMs < 0 && PendingWakeCount == 0) throw new InvalidOperationException("lost wake-up: Wait(-1) was never woken");
        }
        // The kernel reports a registration at most once per wait: no second wake event when the script holds one.
        bool wakeScripted = false;
        foreach (var e in events[..count]) wakeScripted |= e.Token == WakeToken;
        if (!wakeScripted && PendingWakeCount > 0) events[count++] = new ReadyEvent(WakeToken, Readiness.Readable);
        Record($"Wait {timeoutMs} -> {count}");
        return count;
    }

    public void Dispose() => Disposed = true;

    private void Record(string call)
    {
        lock (_gate) _calls.Add(call);
    }
}
