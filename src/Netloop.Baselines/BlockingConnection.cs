using System.Net.Sockets;
using Netloop.Native;
using Netloop.Protocols;
using Netloop.Transport;

namespace Netloop.Baselines;

/// <summary>
/// A connection served by one thread with blocking calls, for the serial and threads modes: receive, let the protocol
/// answer, send all of it, repeat. Sending everything before reading again is the backpressure. The idle timeout is the
/// socket's own receive and send timeouts. Posted work and the protocol timer run on the thread pool, each in a turn
/// with a blocking send of what it wrote; the connection's thread receives outside the turn, so they can run while it is blocked.
/// </summary>
internal sealed class BlockingConnection : SocketConnection
{
    private const int Retry = -2;
    private const int MaxSendFileChunk = 1 << 30;

    // The end of input arrived while input was suspended: the protocol hears of it once input resumes.
    private bool _inputEnded;

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

    protected override void StartDraining() => ThreadPool.UnsafeQueueUserWorkItem(static c => c.Drain(), this, preferLocal: false);

    private void Serve()
    {
        EnterTurn();
        try
        {
            if (!Open() || !SendPending()) return;
        }
        finally
        {
            ExitTurn();
        }
        // Reads land here, outside the turn; only bytes the protocol leaves unconsumed are copied to a pooled block,
        // so a connection blocked in receive holds no pooled memory.
        Span<byte> scratch = stackalloc byte[ReceiveSize];
        while (!IsEnding)
        {
            if (WhenInputResumed() is { } resumed)
            {
                resumed.Wait();
                // Let the turn that resumed input end first: it offers the buffered bytes and may suspend again.
                EnterTurn();
                ExitTurn();
                continue;
            }
            int received = _inputEnded ? 0 : Receive(scratch);
            if (received == Retry) continue;
            if (received < 0) return;
            EnterTurn();
            try
            {
                if (received > 0)
                {
                    if (!AcceptReceived(scratch[..received]) || !SendPending()) return;
                    continue;
                }
                _inputEnded = true;
                // Suspended by posted work while this thread was blocked in the receive.
                if (IsInputSuspended) continue;
                if (!CompleteInput() || !SendPending()) return;
                break;
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
            while (true)
            {
                int activity = Activity;
                if (WhenEndRequested().Wait(idleMs > 0 ? idleMs : Timeout.Infinite)) break;
                if (IsIdleSince(activity))
                {
                    Fail(CloseReason.IdleTimeout);
                    return;
                }
            }
        }
        if (DiscardsOutput) return;
        EnterTurn();
        try
        {
            SendPending();
        }
        finally
        {
            ExitTurn();
        }
    }

    /// <summary>Bytes received, 0 at the end of input, <see cref="Retry"/> when the receive timed out but the connection was not idle, or -1 when the connection failed.</summary>
    private int Receive(Span<byte> buffer)
    {
        int activity = Activity;
        try
        {
            return Socket.Receive(buffer);
        }
        catch (SocketException e) when (IsTimeout(e) && !IsIdleSince(activity))
        {
            // Posted work moved bytes, or input was suspended (the receive began before the suspension): not idle.
            return Retry;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            FailIo(e);
            return -1;
        }
    }

    /// <summary>Runs rounds of posted work, each in a turn followed by a blocking send, until no more is queued.</summary>
    private void Drain()
    {
        do
        {
            EnterTurn();
            try
            {
                RunPosted();
                if (SendsPostedOutput) SendPending();
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

    /// <summary>In a turn: sends all output, bytes and files in order, with blocking calls; false when the connection failed.</summary>
    private bool SendPending()
    {
        while (HasPendingOutput)
        {
            if (FileDue is { } file)
            {
                if (!SendFileChunk(file)) return false;
                continue;
            }
            int sent;
            try
            {
                sent = Socket.Send(PendingFront().Span);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                FailIo(e);
                return false;
            }
            OnSent(sent);
        }
        return true;
    }

    /// <summary>One sendfile(2) call: the file's bytes go from the page cache to the socket without entering user space. False when the connection failed.</summary>
    private bool SendFileChunk(FileSegment file)
    {
        var handle = Socket.SafeHandle;
        bool referenced = false;
        nint n;
        try
        {
            // The reference keeps the fd ours during the call: a forced close meanwhile shuts the socket down (which
            // ends a blocked sendfile) and leaves closing the fd to our release, so its number cannot be reused under us.
            handle.DangerousAddRef(ref referenced);
            long offset = file.Offset;
            int chunk = (int)Math.Min(file.Remaining, MaxSendFileChunk);
            n = Sys.SendFile((int)handle.DangerousGetHandle(), (int)file.File.DangerousGetHandle(), ref offset, chunk);
        }
        catch (ObjectDisposedException e)
        {
            FailIo(e);
            return false;
        }
        finally
        {
            if (referenced) handle.DangerousRelease();
        }
        if (n > 0)
        {
            OnFileSent(file, (int)n);
            return true;
        }
        if (n == 0) return FailShortFile(file);
        var errno = (Errno)(-n);
        // EAGAIN: the send timeout passed with the socket full, or the runtime keeps the fd non-blocking.
        return errno == Errno.EAGAIN ? WaitWritable() : FailIo(errno);
    }

    /// <summary>Waits up to the idle timeout for room in the socket's send buffer; false (the connection timed out or failed) when none came.</summary>
    private bool WaitWritable()
    {
        int idleMs = IdleTimeoutMs;
        try
        {
            if (Socket.Poll(idleMs > 0 ? TimeSpan.FromMilliseconds(idleMs) : Timeout.InfiniteTimeSpan, SelectMode.SelectWrite)) return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            FailIo(e);
            return false;
        }
        Fail(CloseReason.IdleTimeout);
        return false;
    }
}
