namespace Netloop.Reactor;

/// <summary>
/// A hashed timer wheel (Varghese and Lauck): slots of <c>tickMs</c> each, an entry hashed by its due tick. Schedule,
/// reschedule and cancel are O(1) list splices; <see cref="Advance"/> visits only the slots whose time has come.
/// Entries due more than one revolution ahead share a slot with nearer ones and are skipped until their turn.
/// One wheel per loop, used from the loop thread only.
/// </summary>
internal sealed class TimerWheel
{
    private readonly TimerEntry?[] _slots;
    private readonly int _tickMs;
    private long _currentTick;
    private int _count;

    /// <summary>Creates a wheel starting at <paramref name="nowMs"/>.</summary>
    public TimerWheel(long nowMs, int tickMs = 10, int slotCount = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tickMs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slotCount, 2);
        _tickMs = tickMs;
        _slots = new TimerEntry?[slotCount];
        _currentTick = nowMs / tickMs;
    }

    /// <summary>Entries scheduled.</summary>
    public int Count => _count;

    /// <summary>Schedules <paramref name="entry"/> at <paramref name="dueMs"/>, moving it if it was scheduled already.</summary>
    public void Schedule(TimerEntry entry, long dueMs)
    {
        if (entry.IsScheduled) Unlink(entry);
        entry.DueMs = dueMs;
        // The slot whose tick starts at or after the due time, so every entry in a visited slot of this revolution is due;
        // an entry already due goes in the next slot to be visited, never in one already passed.
        long tick = Math.Max((dueMs + _tickMs - 1) / _tickMs, _currentTick + 1);
        int slot = (int)(tick % _slots.Length);
        var head = _slots[slot];
        entry.WheelNext = head;
        entry.WheelPrevious = null;
        if (head is not null) head.WheelPrevious = entry;
        _slots[slot] = entry;
        entry.WheelSlot = slot;
        _count++;
    }

    /// <summary>Removes <paramref name="entry"/> if it is scheduled.</summary>
    public void Cancel(TimerEntry entry)
    {
        if (entry.IsScheduled) Unlink(entry);
    }

    /// <summary>Fires every entry due at or before <paramref name="nowMs"/>. Returns how many fired.</summary>
    public int Advance(long nowMs)
    {
        long targetTick = nowMs / _tickMs;
        if (targetTick <= _currentTick) return 0;
        int fired = 0;
        // After a long stall, one revolution visits every slot once; later ticks would only revisit them.
        long ticks = Math.Min(targetTick - _currentTick, _slots.Length);
        long first = targetTick - ticks + 1;
        _currentTick = targetTick;
        for (long tick = first; tick <= targetTick; tick++)
        {
            int slot = (int)(tick % _slots.Length);
            var entry = _slots[slot];
            while (entry is not null)
            {
                var next = entry.WheelNext;
                if (entry.DueMs <= nowMs)
                {
                    Unlink(entry);
                    fired++;
                    entry.OnTimer(nowMs);
                    // OnTimer may have rescheduled or cancelled other entries, including `next`; if `next` left this
                    // slot, restart the slot from its head (entries still here that are not due are skipped quickly).
                    if (next is not null && next.WheelSlot != slot) next = _slots[slot];
                }
                entry = next;
            }
        }
        return fired;
    }

    /// <summary>Milliseconds from <paramref name="nowMs"/> until the next non-empty slot's time, or -1 when nothing is scheduled.</summary>
    /// <remarks>Entries of a later revolution make this wake early once per revolution; that costs one empty pass, not a missed timer.</remarks>
    public int MillisecondsUntilNext(long nowMs)
    {
        if (_count == 0) return -1;
        for (int i = 1; i <= _slots.Length; i++)
        {
            long tick = _currentTick + i;
            if (_slots[(int)(tick % _slots.Length)] is null) continue;
            return (int)Math.Clamp(tick * _tickMs - nowMs, 0, int.MaxValue);
        }
        return 0;
    }

    private void Unlink(TimerEntry entry)
    {
        var previous = entry.WheelPrevious;
        var next = entry.WheelNext;
        if (previous is not null) previous.WheelNext = next;
        else _slots[entry.WheelSlot] = next;
        if (next is not null) next.WheelPrevious = previous;
        entry.WheelPrevious = null;
        entry.WheelNext = null;
        entry.WheelSlot = -1;
        _count--;
    }
}
