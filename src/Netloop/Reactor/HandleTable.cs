namespace Netloop.Reactor;

/// <summary>Slots for a loop's handles. Freeing a slot bumps its generation, which invalidates every token issued for it.</summary>
internal sealed class HandleTable
{
    private LoopHandle?[] _handles = new LoopHandle?[64];
    private uint[] _generations = new uint[64];
    private int[] _freeSlots = new int[64];
    private int _freeCount;
    private int _used;

    /// <summary>Handles registered.</summary>
    public int Count { get; private set; }

    public void Add(LoopHandle handle)
    {
        int slot;
        if (_freeCount > 0)
        {
            slot = _freeSlots[--_freeCount];
        }
        else
        {
            if (_used == _handles.Length)
            {
                Array.Resize(ref _handles, _used * 2);
                Array.Resize(ref _generations, _used * 2);
                Array.Resize(ref _freeSlots, _used * 2);
            }
            slot = _used++;
        }
        // Generation 0 is never issued, so a zeroed token never matches.
        uint generation = _generations[slot] + 1;
        if (generation == 0) generation = 1;
        _generations[slot] = generation;
        _handles[slot] = handle;
        handle.Slot = slot;
        handle.Generation = generation;
        Count++;
    }

    public void Remove(LoopHandle handle)
    {
        int slot = handle.Slot;
        if (slot < 0 || _handles[slot] != handle) return;
        _handles[slot] = null;
        _generations[slot]++;
        _freeSlots[_freeCount++] = slot;
        handle.Slot = -1;
        Count--;
    }

    /// <summary>The handle a token names, or null when the token is stale.</summary>
    public LoopHandle? Find(ulong token)
    {
        uint slot = (uint)token;
        if (slot >= (uint)_used) return null;
        var handle = _handles[slot];
        return handle is not null && _generations[slot] == (uint)(token >> 32) ? handle : null;
    }

    /// <summary>Copies the registered handles, for shutdown to walk while it closes them.</summary>
    public List<LoopHandle> Snapshot()
    {
        var list = new List<LoopHandle>(Count);
        for (int i = 0; i < _used; i++)
        {
            if (_handles[i] is { } h) list.Add(h);
        }
        return list;
    }
}
