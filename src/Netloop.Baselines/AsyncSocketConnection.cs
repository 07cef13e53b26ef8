using System.Net.Sockets;
using Netloop.Buffers;
using Netloop.Protocols;
using Netloop.Transport;

namespace Netloop.Baselines;

/// <summary>
/// A connection served by .NET's async socket API, for the sockets mode. It waits for data with a zero-byte receive,
/// as Kestrel does, so an idle connection holds no buffer; it rents a block only while bytes arrive, and awaits every
/// send before reading again (the backpressure). The receive and every protocol call with its send run in a turn, so
/// posted work and the protocol timer (drained on the thread pool) never overlap them. The idle timeout is a reusable
/// cancellation source for the wait for input, and another for sends.
/// </summary>
internal sealed class AsyncSocketConnection(BaselineEngine engine, Socket socket) : SocketConnection(engine, socket)
{
    private const int FileChunkSize = 64 * 1024;

    // Used by the connection's own flow only, outside turns.
    private CancellationTokenSource? _receiveIdle;

    // Used in turns only.
    private CancellationTokenSource? _sendIdle;

    /// <summary>Serves the connection to its end. Never faults.</summary>
    public async Task RunAsync()
    {
        try
        {
            await ServeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            FailUnexpected(e);
        }
        finally
        {
            _receiveIdle?.Dispose();
            _receiveIdle = null;
            await FinishAsync().ConfigureAwait(false);
        }
    }

    protected override void StartDraining() => ThreadPool.UnsafeQueueUserWorkItem(static c => _ = c.DrainAsync(), this, preferLocal: false);

    private async Task ServeAsync()
    {
        await EnterTurnAsync().ConfigureAwait(false);
        try
        {
            if (!Open() || !await SendPendingAsync().ConfigureAwait(false)) return;
        }
        finally
        {
            ExitTurn();
        }
        while (!IsEnding)
        {
            if (WhenInputResumed() is { } resumed)
            {
                await resumed.ConfigureAwait(false);
                continue;
            }
            int ready = await WaitForInputAsync().ConfigureAwait(false);
            if (ready < 0) return;
            if (ready == 0 || IsEnding) continue; // not idle after all, or woken by our own end request
            await EnterTurnAsync().ConfigureAwait(false);
            try
            {
                // Suspended by posted work meanwhile: the bytes stay in the kernel until the protocol resumes.
                if (IsInputSuspended) continue;
                int received = await ReceiveAndDeliverAsync().ConfigureAwait(false);
                if (received < 0) return;
                if (received == 0 && !CompleteInput()) return;
                if (!await SendPendingAsync().ConfigureAwait(false)) return;
                if (received == 0) break;
            }
            finally
            {
                ExitTurn();
            }
        }
        if (!IsEnding)
        {
            // Half-closed, and the protocol keeps the connection open: nothing more can arrive, so wait for it to close.
            // Posted work may still be answering; bytes it sends keep the connection from counting as idle.
            int idleMs = IdleTimeoutMs;
            var idle = idleMs > 0 ? TimeSpan.FromMilliseconds(idleMs) : Timeout.InfiniteTimeSpan;
            while (true)
            {
                int activity = Activity;
                try
                {
                    await WhenEndRequested().WaitAsync(idle).ConfigureAwait(false);
                    break;
                }
                catch (TimeoutException) when (IsIdleSince(activity))
                {
                    Fail(CloseReason.IdleTimeout);
                    return;
                }
                catch (TimeoutException)
                {
                    // Not idle: wait another period.
                }
            }
        }
        if (DiscardsOutput) return;
        await EnterTurnAsync().ConfigureAwait(false);
        try
        {
            if (!await SendPendingAsync().ConfigureAwait(false)) return;
            if (EndsGracefully) await ServeHeldInputAsync().ConfigureAwait(false);
        }
        finally
        {
            ExitTurn();
        }
    }

    /// <summary>
    /// In a turn, at a graceful stop: the bytes the kernel already took from the peer (a request that arrived as the stop
    /// landed) are answered before the close, as the reactor does. Closing on unread bytes would reset the client and
    /// lose the answer. The read side is shut down, so nothing new arrives and each receive completes at once.
    /// </summary>
    private async Task ServeHeldInputAsync()
    {
        while (!IsInputSuspended && EndsGracefully && HeldBytes() > 0)
        {
            int received = await ReceiveAndDeliverAsync().ConfigureAwait(false);
            if (received <= 0) return;
            if (!await SendPendingAsync().ConfigureAwait(false)) return;
        }
    }

    private async Task FinishAsync()
    {
        await EnterTurnAsync().ConfigureAwait(false);
        try
        {
            FinishInTurn();
            _sendIdle?.Dispose();
            _sendIdle = null;
        }
        finally
        {
            ExitTurn();
        }
        CompleteWhenDrained();
    }

    /// <summary>Runs rounds of posted work, each in a turn followed by a send, until no more is queued. Never faults.</summary>
    private async Task DrainAsync()
    {
        do
        {
            await EnterTurnAsync().ConfigureAwait(false);
            try
            {
                RunPosted();
                if (SendsPostedOutput) await SendPendingAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                FailUnexpected(e);
            }
            finally
            {
                ExitTurn();
            }
            WakeIfFailed();
        }
        while (ContinueDraining());
    }

    /// <summary>Bytes the kernel holds for the socket; 0 once a forced close disposed it.</summary>
    private int HeldBytes()
    {
        try
        {
            return Socket.Available;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return 0;
        }
    }

    /// <summary>Waits until bytes (or the end of input) can be read, holding no buffer meanwhile: 1 when ready, 0 when the wait timed out but the connection was not idle, -1 when it failed.</summary>
    private async ValueTask<int> WaitForInputAsync()
    {
        int activity = Activity;
        try
        {
            await Socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, Arm(ref _receiveIdle)).ConfigureAwait(false);
            Disarm(ref _receiveIdle);
            return 1;
        }
        catch (OperationCanceledException)
        {
            Disarm(ref _receiveIdle);
            // Posted work moved bytes, or the protocol suspended input meanwhile: not idle.
            if (!IsIdleSince(activity)) return 0;
            Fail(CloseReason.IdleTimeout);
            return -1;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            FailIo(e);
            return -1;
        }
    }

    /// <summary>In a turn: receives what is ready and hands it to the protocol: bytes received, 0 at the end of input, -1 when the connection failed.</summary>
    private async ValueTask<int> ReceiveAndDeliverAsync()
    {
        bool intoInput = HasUnconsumedInput;
        BufferBlock? rented = null;
        Memory<byte> target;
        if (intoInput)
        {
            var block = ReserveInput();
            if (block is null) return -1;
            target = block.FreeMemory;
        }
        else
        {
            rented = Engine.Pool.Rent(ReceiveSize);
            target = rented.FreeMemory;
        }
        try
        {
            // Bytes or the end of input are ready, so this completes at once: no idle timer is needed.
            int received = await Socket.ReceiveAsync(target, SocketFlags.None).ConfigureAwait(false);
            if (received == 0) return 0;
            RecordReceived(received, intoInput);
            if (rented is not null) rented.End = received;
            return Deliver(rented is null ? default : rented.Data, intoInput) ? received : -1;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            FailIo(e);
            return -1;
        }
        finally
        {
            if (rented is not null) Engine.Pool.Return(rented);
        }
    }

    /// <summary>In a turn: sends all output, bytes block by block and files chunk by chunk, in order; false when the connection failed.</summary>
    private async ValueTask<bool> SendPendingAsync()
    {
        while (HasPendingOutput)
        {
            if (FileDue is { } file)
            {
                if (!await SendFileChunkAsync(file).ConfigureAwait(false)) return false;
                continue;
            }
            if (await SendAsync(PendingFront()).ConfigureAwait(false) is not { } sent) return false;
            OnSent(sent);
        }
        return true;
    }

    /// <summary>In a turn: reads one chunk of <paramref name="file"/> into a pooled block and sends it; false when the connection failed.</summary>
    private async ValueTask<bool> SendFileChunkAsync(FileSegment file)
    {
        var block = Engine.Pool.Rent(FileChunkSize);
        try
        {
            int want = (int)Math.Min(file.Remaining, block.Capacity);
            int read;
            try
            {
                read = await RandomAccess.ReadAsync(file.File, block.FreeMemory[..want], file.Offset).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
            {
                return FailFileRead(e);
            }
            if (read == 0) return FailShortFile(file);
            for (int offset = 0; offset < read;)
            {
                if (await SendAsync(block.FreeMemory[offset..read]).ConfigureAwait(false) is not { } sent) return false;
                offset += sent;
                OnFileSent(file, sent);
            }
            return true;
        }
        finally
        {
            Engine.Pool.Return(block);
        }
    }

    /// <summary>One send; the bytes the socket took, or null when the connection failed (or timed out).</summary>
    private async ValueTask<int?> SendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            int sent = await Socket.SendAsync(bytes, SocketFlags.None, Arm(ref _sendIdle)).ConfigureAwait(false);
            Disarm(ref _sendIdle);
            return sent;
        }
        catch (OperationCanceledException)
        {
            Fail(CloseReason.IdleTimeout);
            return null;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            FailIo(e);
            return null;
        }
    }

    private CancellationToken Arm(ref CancellationTokenSource? idle)
    {
        int idleMs = IdleTimeoutMs;
        if (idleMs <= 0) return CancellationToken.None;
        idle ??= new CancellationTokenSource();
        idle.CancelAfter(idleMs);
        return idle.Token;
    }

    private static void Disarm(ref CancellationTokenSource? idle)
    {
        // TryReset stops the timer so the source serves the next wait; it fails when the timer fired (just as the
        // call completed, or because it cancelled the call), and then a fresh source is needed.
        if (idle is null || idle.TryReset()) return;
        idle.Dispose();
        idle = null;
    }
}
