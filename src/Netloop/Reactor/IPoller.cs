namespace Netloop.Reactor;

/// <summary>
/// A kernel readiness mechanism, as small as Redis's ae backends: register, change, forget, wait. The event loop never
/// knows which one it drives. Every method is called from the owning loop's thread only.
/// </summary>
internal interface IPoller : IDisposable
{
    /// <summary>The mechanism's name (<c>epoll</c>, <c>poll</c>).</summary>
    string Name { get; }

    /// <summary>
    /// True when registrations asking for <see cref="Interest.EdgeTriggered"/> really are edge-triggered. Then a
    /// connection may pause reading without changing its interest; a level-triggered poller would report it ready forever.
    /// </summary>
    bool IsEdgeTriggered { get; }

    /// <summary>Starts watching <paramref name="fd"/>; events carry <paramref name="token"/>. Returns 0 or a negated errno.</summary>
    int Add(int fd, ulong token, Interest interest);

    /// <summary>Changes what <paramref name="fd"/> is watched for. Returns 0 or a negated errno.</summary>
    int Modify(int fd, ulong token, Interest interest);

    /// <summary>Stops watching <paramref name="fd"/>; called before the fd is closed.</summary>
    void Remove(int fd);

    /// <summary>Waits up to <paramref name="timeoutMs"/> (-1: forever) and fills <paramref name="events"/>; returns how many. Interruptions return 0.</summary>
    int Wait(Span<ReadyEvent> events, int timeoutMs);
}

/// <summary>What a registration waits for.</summary>
[Flags]
internal enum Interest
{
    None = 0,
    Read = 1,
    Write = 2,
    /// <summary>Report a change of readiness once (epoll's EPOLLET); ignored by level-triggered pollers.</summary>
    EdgeTriggered = 4,
}

/// <summary>What the kernel reported for one registration.</summary>
[Flags]
internal enum Readiness
{
    None = 0,
    Readable = 1,
    Writable = 2,
    /// <summary>The peer closed its side or the connection hung up.</summary>
    Hangup = 4,
    Error = 8,
}

/// <summary>One ready registration: its token and what it is ready for.</summary>
internal readonly record struct ReadyEvent(ulong Token, Readiness Readiness);
