using System.Buffers;
using System.Net;

namespace Netloop.Protocols;

/// <summary>
/// Drives a protocol with no socket behind it, the way the transports do: bytes the protocol leaves unconsumed are
/// offered again ahead of the next ones, output collects in memory, and close requests are recorded. For testing a
/// protocol byte by byte, in any split, without a network.
/// </summary>
public sealed class InMemoryConnection : IConnection
{
    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly IConnectionProtocol _protocol;
    private byte[] _unconsumed = [];

    /// <summary>Creates the connection and calls <see cref="IConnectionProtocol.OnConnected"/>.</summary>
    public InMemoryConnection(IConnectionProtocol protocol)
    {
        _protocol = protocol;
        _protocol.OnConnected(this);
    }

    /// <inheritdoc/>
    public long Id => 1;

    /// <inheritdoc/>
    public IPEndPoint? RemoteEndPoint { get; set; } = new(IPAddress.Loopback, 50000);

    /// <inheritdoc/>
    public IBufferWriter<byte> Output => _output;

    /// <inheritdoc/>
    public long PendingOutputBytes => _output.WrittenCount;

    /// <summary>True once the protocol asked to close (gracefully or not).</summary>
    public bool IsClosed => CloseReason is not null;

    /// <summary>How it was closed: <see cref="Protocols.CloseReason.Local"/> for both <see cref="Close"/> and <see cref="Abort"/>; null while open.</summary>
    public CloseReason? CloseReason { get; private set; }

    /// <summary>True when the protocol called <see cref="Abort"/> rather than <see cref="Close"/>.</summary>
    public bool WasAborted { get; private set; }

    /// <summary>How many times the protocol called <see cref="Flush"/>.</summary>
    public int FlushCount { get; private set; }

    /// <summary>Bytes received and not yet consumed by the protocol.</summary>
    public int UnconsumedBytes => _unconsumed.Length;

    /// <summary>Delivers <paramref name="data"/> (after any unconsumed bytes) to the protocol; returns false once the connection is closed.</summary>
    public bool Receive(ReadOnlySpan<byte> data)
    {
        if (IsClosed) return false;
        byte[] all = [.. _unconsumed, .. data];
        int consumed = _protocol.OnReceived(this, all);
        if ((uint)consumed > (uint)all.Length) throw new InvalidOperationException($"protocol consumed {consumed} of {all.Length} bytes");
        _unconsumed = all[consumed..];
        return !IsClosed;
    }

    /// <summary>The peer half-closes: calls <see cref="IConnectionProtocol.OnInputCompleted"/>.</summary>
    public void CompleteInput()
    {
        if (!IsClosed) _protocol.OnInputCompleted(this);
    }

    /// <summary>Returns and clears what the protocol has written.</summary>
    public byte[] TakeOutput()
    {
        var bytes = _output.WrittenSpan.ToArray();
        _output.Clear();
        return bytes;
    }

    /// <inheritdoc/>
    public void Flush() => FlushCount++;

    /// <inheritdoc/>
    public void Close() => End(aborted: false);

    /// <inheritdoc/>
    public void Abort() => End(aborted: true);

    private void End(bool aborted)
    {
        if (IsClosed) return;
        CloseReason = Protocols.CloseReason.Local;
        WasAborted = aborted;
        _protocol.OnClosed(this, Protocols.CloseReason.Local);
    }
}
