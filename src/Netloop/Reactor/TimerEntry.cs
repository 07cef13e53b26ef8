namespace Netloop.Reactor;

/// <summary>
/// Something that can sit in a <see cref="TimerWheel"/>. The links live in the entry itself (intrusive list), so
/// scheduling allocates nothing and a connection is its own timer.
/// </summary>
internal abstract class TimerEntry
{
    internal TimerEntry? WheelPrevious;
    internal TimerEntry? WheelNext;
    internal int WheelSlot = -1;

    /// <summary>When the entry fires, in loop-clock milliseconds (<see cref="EventLoop.NowMs"/>).</summary>
    public long DueMs { get; internal set; }

    /// <summary>True while scheduled.</summary>
    public bool IsScheduled => WheelSlot >= 0;

    /// <summary>Called on the loop thread when the due time has passed; the entry is already unscheduled.</summary>
    protected internal abstract void OnTimer(long nowMs);
}
