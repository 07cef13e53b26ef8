using System.Net.Sockets;

namespace Netloop.Baselines.Async;

/// <summary>
/// The handler every async design runs, as in the original experiment: echo everything until the client half-closes,
/// then do the slow work (wait the handler delay), then close. It lets its exceptions out (a reset client, an aborted
/// stop): what a design does with a failed task is part of what is measured.
/// </summary>
internal static class AsyncEchoHandler
{
    private const int BufferSize = 4096;

    /// <summary>Serves <paramref name="socket"/> to its end and disposes it.</summary>
    /// <param name="engine">The engine whose pool, ledger and delay the handler uses.</param>
    /// <param name="socket">An accepted socket, counted open in the ledger.</param>
    /// <param name="slowWork">Cuts the handler delay short (a stop); the echo itself still finishes.</param>
    /// <param name="abort">Cancels the socket I/O (the stop's deadline passed).</param>
    public static async Task HandleAsync(AsyncEngine engine, Socket socket, CancellationToken slowWork, CancellationToken abort)
    {
        engine.Ledger.TaskStarted();
        var block = engine.Pool.Rent(BufferSize);
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(block.FreeMemory, SocketFlags.None, abort).ConfigureAwait(false);
                if (n == 0) break;
                engine.CountReceived(n);
                var pending = block.FreeMemory[..n];
                while (!pending.IsEmpty)
                {
                    int sent = await socket.SendAsync(pending, SocketFlags.None, abort).ConfigureAwait(false);
                    engine.CountSent(sent);
                    pending = pending[sent..];
                }
            }
            if (engine.HandlerDelay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(engine.HandlerDelay, slowWork).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (slowWork.IsCancellationRequested && !abort.IsCancellationRequested)
                {
                    // The server is stopping: the slow work is given up, the echo is out, the connection closes cleanly.
                }
            }
            socket.Shutdown(SocketShutdown.Both);
        }
        finally
        {
            socket.Dispose();
            engine.Ledger.SocketClosed();
            engine.Pool.Return(block);
            engine.Ledger.TaskFinished();
        }
    }
}
