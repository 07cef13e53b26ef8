using System.Buffers;
using System.Net;
using Netloop.Load.Runner;
using Netloop.Load.Stats;
using Netloop.Protocols;
using Netloop.Transport;

namespace Netloop.Load.Echo;

/// <summary>
/// A connection slot speaking echo: sends the payload and compares every byte that comes back with what was sent. A
/// message with any differing byte counts once as Corrupt; the stream stays in step (echo is framed by length alone),
/// so the connection carries on. Bytes with no message in flight are Corrupt and cost the connection.
/// </summary>
internal sealed class EchoSlot : ConnectionSlot
{
    private readonly byte[] _payload;
    private int _position;
    private bool _differs;

    public EchoSlot(LoadWorker worker, int index, IPAddress? source)
        : base(worker, index, source)
    {
        _payload = worker.Plan.Payload ?? throw new ArgumentException("an echo slot needs the run's payload", nameof(worker));
    }

    protected override void OnNewConnection()
    {
        _position = 0;
        _differs = false;
    }

    protected override int WriteRequest(IBufferWriter<byte> output, bool last)
    {
        Write(output, _payload);
        return _payload.Length;
    }

    protected override int Consume(IConnection connection, ReadOnlySpan<byte> data, long now)
    {
        int consumed = 0;
        while (consumed < data.Length)
        {
            if (!HasInFlight)
            {
                Fail(connection, ErrorKind.Corrupt, now);
                return data.Length;
            }
            int n = Math.Min(_payload.Length - _position, data.Length - consumed);
            if (!data.Slice(consumed, n).SequenceEqual(_payload.AsSpan(_position, n))) _differs = true;
            _position += n;
            consumed += n;
            if (_position == _payload.Length)
            {
                Complete(now, _differs ? ErrorKind.Corrupt : null);
                _position = 0;
                _differs = false;
            }
        }
        return consumed;
    }
}
