using System.Buffers;
using System.Diagnostics;
using System.Net;
using Microsoft.Win32.SafeHandles;
using Netloop.Load.Runner;
using Netloop.Load.Targets;
using Netloop.Protocols;
using Netloop.Transport;

namespace Netloop.Tests.Load;

/// <summary>Records what a worker asks of its loop, so slots can be driven in memory (<see cref="InMemoryConnection"/>) without sockets.</summary>
internal sealed class RecordingConnector : IConnector
{
    public List<ConnectionSlot> Connects { get; } = [];

    public Queue<(Action<object?> Work, object? State)> Posted { get; } = new();

    public void Connect(ConnectionSlot slot) => Connects.Add(slot);

    public void Post(Action<object?> work, object? state) => Posted.Enqueue((work, state));

    public int RunPosted()
    {
        int ran = 0;
        while (Posted.TryDequeue(out var item))
        {
            item.Work(item.State);
            ran++;
        }
        return ran;
    }
}

/// <summary>One worker with a hand-stepped clock and a recording connector.</summary>
internal sealed class LoadHarness
{
    public LoadHarness(LoadOptions options, int slots = 1)
    {
        Plan = new RunPlan(options);
        Plan.StartTicks = Now;
        if (options.Duration is TimeSpan duration) Plan.DeadlineTicks = Now + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long budget = options.Requests > 0 ? options.Requests : long.MaxValue;
        Worker = new LoadWorker(Plan, budget) { Clock = () => Now, Connector = Connector };
        for (int i = 0; i < slots; i++) Worker.AddSlot(i, null);
    }

    public static LoadOptions Http(string path = "/plaintext") => new() { Target = LoadTarget.Parse("http://127.0.0.1:8080" + path), Connections = 1, Duration = TimeSpan.FromHours(1) };

    public static LoadOptions Echo(int payload) => new() { Target = LoadTarget.Parse("tcp://127.0.0.1:7000"), Connections = 1, PayloadBytes = payload, Duration = TimeSpan.FromHours(1) };

    public RunPlan Plan { get; }

    public LoadWorker Worker { get; }

    public RecordingConnector Connector { get; } = new();

    public long Now { get; set; } = 1_000_000_000;

    public ConnectionSlot Slot => Worker.Slots[0];

    public void Advance(TimeSpan time) => Now += (long)(time.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Begins the worker and completes every requested connect in memory.</summary>
    public InMemoryConnection Connect()
    {
        Worker.Begin();
        return Accept();
    }

    /// <summary>Completes the oldest recorded connect request.</summary>
    public InMemoryConnection Accept()
    {
        Assert.NotEmpty(Connector.Connects);
        var slot = Connector.Connects[0];
        Connector.Connects.RemoveAt(0);
        return new InMemoryConnection(slot);
    }
}

/// <summary>A connection whose output goes into one reused buffer: for allocation measurements, where <see cref="InMemoryConnection"/> copies.</summary>
internal sealed class ReusableConnection : IConnection, IBufferWriter<byte>
{
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _written;

    public long Id => 1;

    public IPEndPoint? RemoteEndPoint => null;

    public IBufferWriter<byte> Output => this;

    public long PendingOutputBytes => _written;

    public int Written => _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Reset() => _written = 0;

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(_written);

    public Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(_written);

    public void Flush()
    {
    }

    public void Post(Action<object?> work, object? state) => throw new NotSupportedException();

    public void SuspendInput()
    {
    }

    public void ResumeInput()
    {
    }

    public void SendFile(SafeFileHandle file, long offset, long length) => throw new NotSupportedException();

    public void SetTimer(TimeSpan? dueIn)
    {
    }

    public void Close() => throw new InvalidOperationException("not expected to close");

    public void Abort() => throw new InvalidOperationException("not expected to abort");

    public void SwitchProtocol(Netloop.Transport.IConnectionProtocol protocol) => throw new InvalidOperationException("not expected to switch protocols");
}
