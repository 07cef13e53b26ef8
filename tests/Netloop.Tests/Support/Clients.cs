using System.Net;
using System.Net.Sockets;

namespace Netloop.Tests.Support;

/// <summary>Client-side helpers over plain sockets, with bounded waits.</summary>
public static class Clients
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint).WaitAsync(Patience);
        return socket;
    }

    /// <summary>Sends <paramref name="payload"/> in random-sized chunks while reading the echo; returns what came back.</summary>
    public static async Task<byte[]> EchoAsync(IPEndPoint endPoint, byte[] payload, int seed, int maxChunk = 8192)
    {
        using var socket = await ConnectAsync(endPoint);
        var random = new Random(seed);
        var received = new byte[payload.Length];
        var reader = ReadExactlyAsync(socket, received);
        for (int offset = 0; offset < payload.Length;)
        {
            int n = Math.Min(random.Next(1, maxChunk + 1), payload.Length - offset);
            await socket.SendAsync(payload.AsMemory(offset, n)).AsTask().WaitAsync(Patience);
            offset += n;
        }
        await reader.WaitAsync(Patience);
        socket.Shutdown(SocketShutdown.Send);
        // The server closes once it has seen our FIN and sent everything: read must now report EOF.
        int tail = await socket.ReceiveAsync(new byte[1].AsMemory()).AsTask().WaitAsync(Patience);
        Assert.Equal(0, tail);
        return received;
    }

    public static async Task ReadExactlyAsync(Socket socket, Memory<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[total..]);
            if (n == 0) throw new EndOfStreamException($"connection closed after {total} of {buffer.Length} bytes");
            total += n;
        }
    }

    /// <summary>Waits until the peer closes: a read returns 0 or the connection is reset.</summary>
    public static async Task<bool> WaitForCloseAsync(Socket socket, TimeSpan within)
    {
        var buffer = new byte[256];
        using var cts = new CancellationTokenSource(within);
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0) return true;
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Polls <paramref name="condition"/> until true or the deadline; returns its last value. For waiting on the server's counters.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(20);
        }
        return true;
    }
}
