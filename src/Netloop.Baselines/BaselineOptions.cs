namespace Netloop.Baselines;

/// <summary>Knobs of the async experiment's designs (<c>--workers</c>, <c>--waiter-queue</c>); the other modes ignore them.</summary>
public sealed class BaselineOptions
{
    /// <summary>Workers of the <see cref="ServerMode.AsyncWorkers"/> mode, and the capacity of its channel. Default: 16.</summary>
    public int Workers { get; set; } = 16;

    /// <summary>Capacity of the <see cref="ServerMode.AsyncWaiter"/> mode's queue of running tasks. Default: 8.</summary>
    public int WaiterQueue { get; set; } = 8;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Workers < 1) throw new ArgumentException($"workers must be at least 1, got {Workers}");
        if (WaiterQueue < 1) throw new ArgumentException($"waiter queue must be at least 1, got {WaiterQueue}");
    }
}
