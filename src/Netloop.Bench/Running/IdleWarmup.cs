using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Netloop.Bench.Running;

/// <summary>
/// The "few requests" a user sends a freshly started server before reading its RSS for the idle measurement: a handful
/// of keep-alive connections, a couple of <c>GET</c>s each, every answer read in full. It runs the request path once
/// (code loaded, first JIT, first pooled buffers) so the RSS read after it is the server as a user finds it, not a
/// process that has never answered.
/// </summary>
internal static class IdleWarmup
{
    /// <summary>Connections the warm-up opens, one after another.</summary>
    public const int Connections = 10;

    /// <summary>Requests on each of them.</summary>
    public const int RequestsPerConnection = 2;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sends the warm-up to <c>127.0.0.1:<paramref name="port"/></c><paramref name="path"/>, over HTTP/2 by prior
    /// knowledge when <paramref name="http2"/> (the same connections and requests, as streams); null when every answer
    /// came, else why not.
    /// </summary>
    public static Task<string?> RunAsync(int port, string path, CancellationToken cancellationToken, bool http2 = false)
    {
        string authority = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        if (http2)
        {
            return ExchangeOnEachConnectionAsync(port, async (socket, token) =>
                await Servers.Http2Probe.GetAsync(socket, path, authority, RequestsPerConnection, token).ConfigureAwait(false) is { } problem
                    ? $"a warm-up request: {problem}"
                    : null, cancellationToken);
        }
        byte[] request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {authority}\r\n\r\n");
        var buffer = new byte[16 * 1024];
        return ExchangeOnEachConnectionAsync(port, async (socket, token) =>
        {
            for (int r = 0; r < RequestsPerConnection; r++)
            {
                await socket.SendAsync(request, SocketFlags.None, token).ConfigureAwait(false);
                if (await ReadResponseAsync(socket, buffer, token).ConfigureAwait(false) is { } problem) return problem;
            }
            return null;
        }, cancellationToken);
    }

    /// <summary>Opens <see cref="Connections"/> connections one after another, each given <see cref="s_timeout"/> for its <paramref name="exchange"/>; the first problem ends the warm-up.</summary>
    private static async Task<string?> ExchangeOnEachConnectionAsync(int port, Func<Socket, CancellationToken, Task<string?>> exchange, CancellationToken cancellationToken)
    {
        try
        {
            for (int c = 0; c < Connections; c++)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(s_timeout);
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token).ConfigureAwait(false);
                if (await exchange(socket, timeout.Token).ConfigureAwait(false) is { } problem) return problem;
            }
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"a warm-up request got no answer within {s_timeout.TotalSeconds:0} s";
        }
        catch (SocketException e)
        {
            return $"a warm-up request failed: {e.Message}";
        }
    }

    // One response: the head up to the blank line, then Content-Length bytes of body (every server under test sends one).
    private static async Task<string?> ReadResponseAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        int filled = 0;
        while (true)
        {
            int end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                string head = Encoding.ASCII.GetString(buffer, 0, end);
                if (!head.StartsWith("HTTP/1.1 200", StringComparison.Ordinal)) return $"a warm-up request was answered '{head.Split('\r')[0]}'";
                long length = ContentLength(head);
                if (length < 0) return "a warm-up answer had no Content-Length";
                long missing = end + 4 + length - filled;
                while (missing > 0)
                {
                    int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    if (read == 0) return "the server closed a warm-up connection mid-answer";
                    missing -= read;
                }
                return missing == 0 ? null : "a warm-up answer was longer than its Content-Length";
            }
            if (filled == buffer.Length) return "a warm-up answer's head was over 16 KB";
            int n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0) return "the server closed a warm-up connection before answering";
            filled += n;
        }
    }

    private static long ContentLength(string head)
    {
        foreach (string line in head.Split("\r\n"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(line.AsSpan(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                return value;
            }
        }
        return -1;
    }
}
