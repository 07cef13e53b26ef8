using System.Net.Sockets;
using Netloop.Protocols;

namespace Netloop.Modes;

/// <summary>
/// A connection served by one thread with blocking calls, for the serial and threads modes: receive, let the protocol
/// answer, send all of it, repeat. Sending everything before reading again is the backpressure. The idle timeout is the
/// socket's own receive and send timeouts.
/// </summary>
internal sealed class BlockingConnection : SocketConnection
{
    public BlockingConnection(BaselineEngine engine, Socket socket)
        : base(engine, socket) => SocketTimeoutIsIdle = true;

    /// <summary>Serves the connection to its end on the calling thread. Never throws.</summary>
    public void Run()
    {
        try
        {
            Serve();
        }
        catch (Exception e)
        {
            FailUnexpected(e);
        }
        finally
        {
            Finish();
        }
    }

    private void Serve()
    {
        if (!Open() || !SendPending()) return;
        // Reads land here; only bytes the protocol leaves unconsumed are copied to a pooled block, so a connection
        // blocked in receive holds no pooled memory.
        Span<byte> scratch = stackalloc byte[ReceiveSize];
        while (!IsEnding)
        {
            bool intoInput = HasUnconsumedInput;
            Span<byte> target = scratch;
            if (intoInput)
            {
                var block = ReserveInput();
                if (block is null) return;
                target = block.FreeSpan;
            }
            int received = Receive(target);
            if (received < 0) return;
            if (received == 0)
            {
                if (!CompleteInput()) return;
                break;
            }
            RecordReceived(received, intoInput);
            if (!Deliver(intoInput ? default : scratch[..received], intoInput) || !SendPending()) return;
        }
        if (!IsEnding)
        {
            // Half-closed, and the protocol keeps the connection open: nothing more can arrive, so wait for it to close.
            if (!SendPending()) return;
            int idleMs = IdleTimeoutMs;
            if (!WhenEndRequested().Wait(idleMs > 0 ? idleMs : Timeout.Infinite))
            {
                Fail(CloseReason.IdleTimeout);
                return;
            }
        }
        if (!DiscardsOutput) SendPending();
    }

    /// <summary>Bytes received, 0 at the end of input, or -1 when the connection failed.</summary>
    private int Receive(Span<byte> buffer)
    {
        try
        {
            return Socket.Receive(buffer);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            FailIo(e);
            return -1;
        }
    }
}
