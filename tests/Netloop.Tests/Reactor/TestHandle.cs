using Netloop.Reactor;

namespace Netloop.Tests.Reactor;

/// <summary>A loop handle that records what the loop calls on it, and optionally runs test code from OnReady.</summary>
internal sealed class TestHandle(string name = "handle") : LoopHandle
{
    public string Name { get; } = name;

    public List<Readiness> Ready { get; } = new();

    public int Flushes { get; private set; }

    public Action? OnReadyAction { get; set; }

    internal override void OnReady(Readiness readiness)
    {
        Ready.Add(readiness);
        OnReadyAction?.Invoke();
    }

    public Action? OnFlushAction { get; set; }

    internal override void OnFlush()
    {
        Flushes++;
        OnFlushAction?.Invoke();
    }

    protected internal override void OnTimer(long nowMs)
    {
    }

    public override string ToString() => Name;
}
