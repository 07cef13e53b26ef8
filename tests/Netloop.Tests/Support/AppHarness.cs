using Netloop.Transport;
using System.Buffers;
using System.Text;
using Netloop.Protocols;
using Netloop.Server;

namespace Netloop.Tests.Support;

/// <summary>A <see cref="NetloopApp"/> served over in-memory connections: exact request bytes in, response text out, no sockets.</summary>
internal sealed class AppHarness
{
    private AppHarness(NetloopApp app, CapturingLoggerFactory logs)
    {
        App = app;
        Logs = logs;
    }

    public NetloopApp App { get; }

    public CapturingLoggerFactory Logs { get; }

    public static AppHarness Create(Action<NetloopApp> map)
    {
        var logs = new CapturingLoggerFactory();
        var builder = NetloopServer.CreateBuilder([]);
        builder.LoggerFactory = logs;
        var app = builder.Build();
        map(app);
        return new AppHarness(app, logs);
    }

    /// <summary>Sends <paramref name="request"/> on a fresh connection and returns everything written back.</summary>
    public string Send(string request)
    {
        var connection = Connect();
        connection.Receive(Encoding.Latin1.GetBytes(request));
        return Encoding.Latin1.GetString(connection.TakeOutput());
    }

    public InMemoryConnection Connect() => new(App.Protocol.Create());

    /// <summary>The value of header <paramref name="name"/> in a response's head, or null.</summary>
    public static string? Header(string response, string name)
    {
        int headEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        foreach (string line in response[..(headEnd < 0 ? response.Length : headEnd)].Split("\r\n"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }
        return null;
    }

    /// <summary>Every value of header <paramref name="name"/> in a response's head.</summary>
    public static string[] Headers(string response, string name)
    {
        int headEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return response[..headEnd].Split("\r\n")
            .Where(line => line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(line => line[(name.Length + 1)..].Trim())
            .ToArray();
    }

    public static string Body(string response) => response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
}

/// <summary>A connection that allocates nothing itself (output into one reused buffer), for per-request allocation checks.</summary>
internal sealed class CountingConnection(IConnectionProtocol protocol) : IConnection, IBufferWriter<byte>
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _written;
    private IConnectionProtocol _protocol = protocol;

    public int Responses { get; private set; }

    public int LastStatus { get; private set; }

    public void Deliver(byte[] request)
    {
        int consumed = _protocol.OnReceived(this, request);
        if (consumed != request.Length) throw new InvalidOperationException("request not consumed");
        if (_written > 12 && _buffer[0] == (byte)'H')
        {
            Responses++;
            LastStatus = ((_buffer[9] - '0') * 100) + ((_buffer[10] - '0') * 10) + (_buffer[11] - '0');
        }
        _written = 0;
    }

    public long Id => 1;
    public System.Net.IPEndPoint? RemoteEndPoint => null;
    public IBufferWriter<byte> Output => this;
    public long PendingOutputBytes => _written;
    public void Flush() { }
    public void Post(Action<object?> work, object? state) => throw new InvalidOperationException("nothing is posted");
    public void SuspendInput() { }
    public void ResumeInput() { }
    public void SendFile(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long length) => file.Dispose();
    public void SetTimer(TimeSpan? dueIn) { }
    public void Close() => throw new InvalidOperationException("keep-alive expected");
    public void Abort() => throw new InvalidOperationException("keep-alive expected");
    public void SwitchProtocol(IConnectionProtocol next) => _protocol = next;
    public void Advance(int count) => _written += count;
    public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(_written);
    public Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(_written);
}
