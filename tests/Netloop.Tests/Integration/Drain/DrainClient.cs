using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Netloop.Tests.Integration.Drain;

/// <summary>
/// A keep-alive HTTP/1.1 client for the drain tests: it sends one request at a time and reads each response whole
/// (Content-Length framed), and tells apart how its connection ended: a response that said <c>Connection: close</c>
/// followed by the close (a clean drain), a request sent and never answered (a short read), or a reset.
/// </summary>
internal sealed class DrainClient : IDisposable
{
    private static readonly byte[] Get = "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray();

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _buffered;

    private DrainClient(Socket socket) => _socket = socket;

    public int Answered { get; private set; }

    public static async Task<DrainClient> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint).WaitAsync(Support.Clients.Patience);
        return new DrainClient(socket);
    }

    /// <summary>Sends a request and reads its response: <see cref="Outcome.Answered"/>, <see cref="Outcome.AnsweredClose"/>, or how it failed.</summary>
    public async Task<Outcome> RequestAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _socket.SendAsync(Get, SocketFlags.None, cancellationToken);
        }
        catch (SocketException)
        {
            return Outcome.Reset;
        }
        return await ReadResponseAsync(cancellationToken);
    }

    /// <summary>After a <c>Connection: close</c> answer: true when the server then closed cleanly (FIN, no reset).</summary>
    public async Task<bool> ClosedCleanlyAsync()
    {
        try
        {
            int n = await _socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(Support.Clients.Patience);
            return n == 0;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task<Outcome> ReadResponseAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var text = Encoding.Latin1.GetString(_buffer, 0, _buffered);
            int headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd >= 0)
            {
                var head = text[..headEnd];
                int length = int.Parse(Header(head, "Content-Length") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
                int total = headEnd + 4 + length;
                if (_buffered >= total)
                {
                    Buffer.BlockCopy(_buffer, total, _buffer, 0, _buffered - total);
                    _buffered -= total;
                    Answered++;
                    if (!head.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal)) return Outcome.BadStatus;
                    return string.Equals(Header(head, "Connection"), "close", StringComparison.OrdinalIgnoreCase) ? Outcome.AnsweredClose : Outcome.Answered;
                }
            }
            int n;
            try
            {
                n = await _socket.ReceiveAsync(_buffer.AsMemory(_buffered), SocketFlags.None, cancellationToken);
            }
            catch (SocketException)
            {
                return Outcome.Reset;
            }
            if (n == 0) return Outcome.ShortRead;
            _buffered += n;
        }
    }

    private static string? Header(string head, string name)
    {
        foreach (var line in head.Split("\r\n"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }
        return null;
    }

    public void Dispose() => _socket.Dispose();

    public enum Outcome
    {
        Answered,
        AnsweredClose,
        BadStatus,
        ShortRead,
        Reset,
    }
}
