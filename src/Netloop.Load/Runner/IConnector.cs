using Netloop.Client;

namespace Netloop.Load.Runner;

/// <summary>How a worker opens connections and defers work: a <see cref="ClientLoop"/> in a run, a recorder in unit tests.</summary>
internal interface IConnector
{
    /// <summary>Starts a connection for <paramref name="slot"/> (loop thread only).</summary>
    void Connect(ConnectionSlot slot);

    /// <summary>Runs <paramref name="work"/> on the loop thread soon, outside the current callback.</summary>
    void Post(Action<object?> work, object? state);
}

/// <summary>The connector of a real run.</summary>
internal sealed class ClientLoopConnector(ClientLoop loop) : IConnector
{
    public ClientLoop Loop { get; } = loop;

    public void Connect(ConnectionSlot slot) => Loop.Connect(slot.Worker.Plan.EndPoint, slot.Source, slot, slot.Worker.Tls);

    public void Post(Action<object?> work, object? state) => Loop.Post(work, state);
}
