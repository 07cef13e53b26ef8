namespace Netloop.Reactor;

/// <summary>
/// Anything an <see cref="EventLoop"/> polls for: a listener, a connection. The loop finds it from an event's token
/// (slot + generation), so an event still queued for a handle that closed, and whose slot was reused, is dropped.
/// A handle is a <see cref="TimerEntry"/> too, so its timeouts need no extra object.
/// </summary>
internal abstract class LoopHandle : TimerEntry
{
    internal int Slot = -1;
    internal uint Generation;
    internal bool InFlushList;
    internal bool InReadyList;

    /// <summary>The token the poller reports for this handle: generation in the high 32 bits, slot in the low 32.</summary>
    internal ulong Token => ((ulong)Generation << 32) | (uint)Slot;

    /// <summary>The kernel reported readiness, or the loop resumes a handle that asked for <see cref="EventLoop.ScheduleReady"/>.</summary>
    internal abstract void OnReady(Readiness readiness);

    /// <summary>End of the loop iteration, for a handle that asked for <see cref="EventLoop.ScheduleFlush"/>.</summary>
    internal virtual void OnFlush()
    {
    }
}
