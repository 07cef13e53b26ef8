using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Netloop.Bench.Experiment;

/// <summary>
/// The original experiment's client: connect, send one short line, half-close, read until EOF, and compare. Every
/// failure has a kind, and every client is bounded by a timeout, so a design that never answers still ends the run.
/// </summary>
internal static class LineClient
{
    /// <summary>Runs one client; returns <c>null</c> on success, else the failure's kind.</summary>
    public static async Task<string?> RunAsync(IPEndPoint server, string line, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server, deadline.Token).ConfigureAwait(false);
            byte[] sent = Encoding.ASCII.GetBytes(line);
            await socket.SendAsync(sent, SocketFlags.None, deadline.Token).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Send);
            var received = new byte[sent.Length + 64];
            int total = 0;
            while (true)
            {
                int n = await socket.ReceiveAsync(received.AsMemory(total), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                if (n == 0) break;
                total += n;
                if (total == received.Length) return "corrupt"; // more than was sent
            }
            return received.AsSpan(0, total).SequenceEqual(sent) ? null : total == 0 ? "no echo" : "corrupt";
        }
        catch (OperationCanceledException)
        {
            return cancellationToken.IsCancellationRequested ? "not run" : "timeout";
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "refused",
                SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => "reset",
                SocketError.TimedOut => "timeout",
                _ => e.SocketErrorCode.ToString(),
            };
        }
    }
}
