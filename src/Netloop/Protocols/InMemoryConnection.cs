using System.Buffers;
using System.Net;
using Microsoft.Win32.SafeHandles;
using Netloop.Reactor;
using Netloop.Transport;

namespace Netloop.Protocols;

/// <summary>
/// Drives a protocol with no socket behind it, the way the transports do: bytes the protocol leaves unconsumed are
/// offered again ahead of the next ones, output collects in memory, and close requests are recorded. For testing a
/// protocol byte by byte, in any split, without a network. Its timer runs on <see cref="Clock"/>: give it a clock the
/// test drives, move that clock on, and <see cref="RunDueTimer"/> fires the protocol's timer when its time has come,
/// so timeouts are tested without waiting.
/// </summary>
internal sealed class InMemoryConnection : IConnection, IDrainingConnection, Transport.PerIp.IRequestAdmission
{
    private readonly ArrayBufferWriter<byte> _output = new();
    private IConnectionProtocol _protocol;
    private readonly Queue<(Action<object?> Work, object? State)> _posted = new();
    private byte[] _unconsumed = [];

    /// <summary>Creates the connection and calls <see cref="IConnectionProtocol.OnConnected"/>.</summary>
    /// <param name="protocol">The protocol under test.</param>
    /// <param name="clock">The clock timers and the protocol's time run on; <see cref="LoopClock.System"/> when null.</param>
    public InMemoryConnection(IConnectionProtocol protocol, LoopClock? clock = null)
    {
        Clock = clock ?? LoopClock.System;
        _protocol = protocol;
        _protocol.OnConnected(this);
    }

    private int _refusedInRow;

    /// <summary>The per-IP table the connection's requests spend from (with <see cref="AddressEntry"/>); null: no rate limit.</summary>
    public Transport.PerIp.ClientAddressTable? AddressTable { get; set; }

    /// <summary>The client address's entry in <see cref="AddressTable"/>, as the transport acquires it at accept.</summary>
    public Transport.PerIp.AddressEntry? AddressEntry { get; set; }

    /// <inheritdoc/>
    public Transport.PerIp.RequestAdmission AdmitRequest() =>
        AddressTable is null || AddressEntry is null
            ? Transport.PerIp.RequestAdmission.Admitted
            : AddressTable.AdmitRequest(AddressEntry, Clock.NowMs, ref _refusedInRow);

    /// <inheritdoc/>
    public long Id => 1;

    /// <summary>Set by a test to play a stopping server (see <see cref="IDrainingConnection"/>).</summary>
    public bool IsDraining { get; set; }

    /// <summary>Plays the transport's stop: marks the connection draining and tells a protocol that can drain; false when it cannot.</summary>
    public bool BeginShutdown()
    {
        IsDraining = true;
        return _protocol is IGracefulShutdown graceful && graceful.BeginShutdown(this);
    }

    /// <summary>Plays the end of the drain grace for a protocol that drains.</summary>
    public void EndDrainGrace()
    {
        if (_protocol is IGracefulShutdown graceful) graceful.OnDrainGraceElapsed(this);
    }

    /// <summary>The protocol the connection's calls go to now (it changes when the protocol switches).</summary>
    public IConnectionProtocol Protocol => _protocol;

    /// <inheritdoc/>
    public void SwitchProtocol(IConnectionProtocol protocol) => _protocol = protocol ?? throw new ArgumentNullException(nameof(protocol));

    /// <inheritdoc/>
    public IPEndPoint? RemoteEndPoint { get; set; } = new(IPAddress.Loopback, 50000);

    /// <inheritdoc/>
    public IBufferWriter<byte> Output => _output;

    /// <inheritdoc/>
    public long PendingOutputBytes => _output.WrittenCount;

    /// <summary>True once the protocol asked to close (gracefully or not).</summary>
    public bool IsClosed => CloseReason is not null;

    /// <summary>How it was closed: <see cref="Transport.CloseReason.Local"/> for both <see cref="Close"/> and <see cref="Abort"/>; null while open.</summary>
    public CloseReason? CloseReason { get; private set; }

    /// <summary>True when the protocol called <see cref="Abort"/> rather than <see cref="Close"/>.</summary>
    public bool WasAborted { get; private set; }

    /// <summary>How many times the protocol called <see cref="Flush"/>.</summary>
    public int FlushCount { get; private set; }

    /// <summary>True between <see cref="SuspendInput"/> and <see cref="ResumeInput"/>.</summary>
    public bool IsInputSuspended { get; private set; }

    /// <inheritdoc/>
    public LoopClock Clock { get; }

    /// <summary>The protocol timer's delay as last armed with <see cref="SetTimer"/>; null when disarmed.</summary>
    public TimeSpan? TimerDueIn { get; private set; }

    /// <summary>When the protocol timer is due, in <see cref="Clock"/> milliseconds; null when disarmed.</summary>
    public long? TimerDueMs { get; private set; }

    /// <summary>Work posted with <see cref="Post"/> and not yet run by <see cref="RunPosted"/>.</summary>
    public int PostedCount => _posted.Count;

    /// <summary>Bytes received and not yet consumed by the protocol.</summary>
    public int UnconsumedBytes => _unconsumed.Length;

    /// <summary>Delivers <paramref name="data"/> (after any unconsumed bytes) to the protocol; returns false once the connection is closed.</summary>
    public bool Receive(ReadOnlySpan<byte> data)
    {
        if (IsClosed) return false;
        byte[] all = [.. _unconsumed, .. data];
        if (IsInputSuspended)
        {
            _unconsumed = all;
            return true;
        }
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
        // As a socket does once the kernel took everything: a protocol that writes in pieces may write the next one.
        if (!IsClosed && _protocol is IOutputDrainedListener listener) listener.OnOutputDrained(this);
        return bytes;
    }

    /// <summary>Runs posted work in order (including work posted meanwhile) until none is left; returns how many ran.</summary>
    public int RunPosted()
    {
        int ran = 0;
        while (_posted.TryDequeue(out var item))
        {
            item.Work(item.State);
            ran++;
        }
        return ran;
    }

    /// <summary>Fires the protocol timer now, whatever its due time, as the transport does when it is due, and disarms it.</summary>
    public void FireTimer()
    {
        TimerDueIn = null;
        TimerDueMs = null;
        if (!IsClosed) _protocol.OnTimer(this);
    }

    /// <summary>
    /// Fires the protocol timer if it is armed and due on <see cref="Clock"/> (a protocol that re-arms it in the call is
    /// not fired again here); returns whether it fired. Call after moving a test clock on.
    /// </summary>
    public bool RunDueTimer()
    {
        if (TimerDueMs is not { } due || due > Clock.NowMs) return false;
        FireTimer();
        return true;
    }

    /// <inheritdoc/>
    public void Flush() => FlushCount++;

    /// <inheritdoc/>
    public void Post(Action<object?> work, object? state) => _posted.Enqueue((work, state));

    /// <inheritdoc/>
    public void SuspendInput() => IsInputSuspended = true;

    /// <inheritdoc/>
    public void ResumeInput()
    {
        if (!IsInputSuspended) return;
        IsInputSuspended = false;
        // As the transports do: buffered bytes are offered again soon, not inside this call.
        if (_unconsumed.Length > 0) Post(static self => ((InMemoryConnection)self!).Receive(default), this);
    }

    /// <summary>Copies the file range into the output (the bytes a socket would have received) and disposes the handle.</summary>
    public void SendFile(SafeFileHandle file, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(file);
        using (file)
        {
            var buffer = new byte[length];
            int read = 0;
            while (read < length)
            {
                int n = RandomAccess.Read(file, buffer.AsSpan(read), offset + read);
                if (n == 0) throw new IOException($"file ended {length - read} bytes early");
                read += n;
            }
            _output.Write(buffer);
        }
    }

    /// <inheritdoc/>
    public void SetTimer(TimeSpan? dueIn)
    {
        TimerDueIn = dueIn;
        TimerDueMs = dueIn is { } d ? Clock.NowMs + (long)Math.Max(0, d.TotalMilliseconds) : null;
    }

    /// <summary>
    /// The transport ends the connection for <paramref name="reason"/> (the peer reset it, the idle timeout passed,
    /// the server stopped): calls <see cref="IConnectionProtocol.OnClosed"/> with that reason, as a transport does.
    /// </summary>
    public void Drop(CloseReason reason)
    {
        if (IsClosed) return;
        CloseReason = reason;
        _protocol.OnClosed(this, reason);
    }

    /// <inheritdoc/>
    public void Close() => End(aborted: false);

    /// <inheritdoc/>
    public void Abort() => End(aborted: true);

    private void End(bool aborted)
    {
        if (IsClosed) return;
        CloseReason = Transport.CloseReason.Local;
        WasAborted = aborted;
        _protocol.OnClosed(this, Transport.CloseReason.Local);
    }
}
