using System.Buffers;
using System.Net;
using Netloop.Load.Runner;
using Netloop.Load.Stats;
using Netloop.Protocols;
using Netloop.Transport;

namespace Netloop.Load.Http;

/// <summary>
/// A connection slot speaking HTTP/1.1: sends the pre-encoded request, parses each response's framing exactly, and
/// accepts it only with the expected status. A response that cannot be parsed, or bytes nobody asked for, count as
/// Corrupt and cost the connection (its framing can no longer be trusted).
/// </summary>
internal sealed class HttpSlot : ConnectionSlot
{
    private readonly HttpResponseParser _parser = new();
    private readonly HttpRequestTemplate _request;

    public HttpSlot(LoadWorker worker, int index, IPAddress? source)
        : base(worker, index, source)
    {
        _request = worker.Plan.Request ?? throw new ArgumentException("an HTTP slot needs the run's request", nameof(worker));
    }

    protected override void OnNewConnection() => _parser.Reset(_request.IsHead);

    protected override int WriteRequest(IBufferWriter<byte> output, bool last)
    {
        var bytes = last ? _request.Close : _request.KeepAlive;
        Write(output, bytes);
        return bytes.Length;
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
            var status = _parser.Parse(data[consumed..], out int used);
            consumed += used;
            if (status == ResponseParseStatus.NeedMore) break;
            if (status == ResponseParseStatus.Malformed)
            {
                Fail(connection, ErrorKind.Corrupt, now);
                return data.Length;
            }
            Complete(now, Plan.IsExpectedStatus(_parser.StatusCode) ? null : ErrorKind.BadStatus);
            if (_parser.ConnectionClose)
            {
                ServerWillClose(connection);
                return data.Length;
            }
            _parser.Reset(_request.IsHead);
        }
        return consumed;
    }

    protected override bool EndOfInput(long now)
    {
        if (_parser.CompleteAtEndOfInput() != ResponseParseStatus.Complete) return false;
        Complete(now, Plan.IsExpectedStatus(_parser.StatusCode) ? null : ErrorKind.BadStatus);
        return true;
    }
}
