namespace Netloop.Protocols.Http2;

/// <summary>
/// Counts one kind of frame per interval: <see cref="Spend"/> is false once more than the budget arrived within one
/// interval. A fixed window (reset when the interval has passed) is enough: the budgets are far above what a client
/// needs and far below what a flood sends, so where the window boundary falls does not matter.
/// </summary>
internal struct FloodBudget
{
    private long _windowStartMs;
    private int _count;

    /// <summary>Counts one event at <paramref name="nowMs"/>; false when it is over <paramref name="budget"/> in this interval.</summary>
    public bool Spend(long nowMs, long intervalMs, int budget)
    {
        if (nowMs - _windowStartMs >= intervalMs)
        {
            _windowStartMs = nowMs;
            _count = 0;
        }
        return ++_count <= budget;
    }

    /// <summary>Gives one event back (a WINDOW_UPDATE earned by a DATA frame the server sent).</summary>
    public void Refund()
    {
        if (_count > 0) _count--;
    }
}
