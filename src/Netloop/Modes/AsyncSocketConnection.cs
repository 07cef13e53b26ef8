using System.Net.Sockets;
using Netloop.Buffers;
using Netloop.Protocols;

namespace Netloop.Modes;

/// <summary>
/// A connection served by .NET's async socket API, for the sockets mode. It waits for data with a zero-byte receive,
/// as Kestrel does, so an idle connection holds no buffer; it rents a block only while bytes arrive, and awaits every
/// send before reading again (the backpressure). The idle timeout is one reusable cancellation source per connection.
/// </summary>
internal sealed class AsyncSocketConnection(BaselineEngine engine, Socket socket) : SocketConnection(engine, socket)
{
    private CancellationTokenSource? _idle;

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
            _idle?.Dispose();
            _idle = null;
            Finish();
        }
    }

    private async Task ServeAsync()
    {
        if (!Open() || !await SendPendingAsync().ConfigureAwait(false)) return;
        while (!IsEnding)
        {
            if (!await WaitForInputAsync().ConfigureAwait(false)) return;
            if (IsEnding) break; // woken by our own end request, not by the peer
            int received = await ReceiveAndDeliverAsync().ConfigureAwait(false);
            if (received < 0) return;
            if (received == 0)
            {
                if (!CompleteInput()) return;
                break;
            }
            if (!await SendPendingAsync().ConfigureAwait(false)) return;
        }
        if (!IsEnding)
        {
            // Half-closed, and the protocol keeps the connection open: nothing more can arrive, so wait for it to close.
            if (!await SendPendingAsync().ConfigureAwait(false)) return;
            int idleMs = IdleTimeoutMs;
            try
            {
                await WhenEndRequested().WaitAsync(idleMs > 0 ? TimeSpan.FromMilliseconds(idleMs) : Timeout.InfiniteTimeSpan).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Fail(CloseReason.IdleTimeout);
                return;
            }
        }
        if (!DiscardsOutput) await SendPendingAsync().ConfigureAwait(false);
    }

    /// <summary>Waits until bytes (or the end of input) can be read, holding no buffer meanwhile; false when the connection failed.</summary>
    private async ValueTask<bool> WaitForInputAsync()
    {
        try
        {
            await Socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, ArmIdle()).ConfigureAwait(false);
            DisarmIdle();
            return true;
        }
        catch (OperationCanceledException)
        {
            Fail(CloseReason.IdleTimeout);
            return false;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            FailIo(e);
            return false;
        }
    }

    /// <summary>Receives what is ready and hands it to the protocol: bytes received, 0 at the end of input, -1 when the connection failed.</summary>
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

    /// <summary>Sends all output, block by block in order; false when the connection failed.</summary>
    private async ValueTask<bool> SendPendingAsync()
    {
        while (!OutputChain.IsEmpty)
        {
            try
            {
                int sent = await Socket.SendAsync(PendingFront(), SocketFlags.None, ArmIdle()).ConfigureAwait(false);
                DisarmIdle();
                OnSent(sent);
            }
            catch (OperationCanceledException)
            {
                Fail(CloseReason.IdleTimeout);
                return false;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                FailIo(e);
                return false;
            }
        }
        return true;
    }

    private CancellationToken ArmIdle()
    {
        int idleMs = IdleTimeoutMs;
        if (idleMs <= 0) return CancellationToken.None;
        _idle ??= new CancellationTokenSource();
        _idle.CancelAfter(idleMs);
        return _idle.Token;
    }

    private void DisarmIdle()
    {
        // TryReset stops the timer so the source serves the next wait; it fails only when the timer fired just as
        // the call completed, and then a fresh source is needed.
        if (_idle is null || _idle.TryReset()) return;
        _idle.Dispose();
        _idle = null;
    }
}
