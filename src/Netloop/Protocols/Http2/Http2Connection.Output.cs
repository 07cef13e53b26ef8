using System.Buffers;
using Netloop.Http;
using Netloop.Protocols.Http2.Hpack;
using Netloop.Transport;

namespace Netloop.Protocols.Http2;

/// <summary>
/// Writing responses under the send windows (RFC 9113 §5.2, §6.9): HEADERS go out at once; DATA as far as the
/// stream's and the connection's windows allow, the rest waits in the stream and is sent round-robin when windows
/// open, so a stream whose window is zero never holds up the others. Everything is written into the connection's
/// output, which the transport sends with one gathered write per loop iteration.
/// </summary>
internal sealed partial class Http2Connection
{
    /// <summary>Output held before streams that wait (files, queued DATA) stop being pumped until the peer reads.</summary>
    internal const int OutputHighWater = 256 * 1024;

    // What the client lets the server send on the connection (§6.9.1).
    private long _sendWindow;
    // Streams with DATA waiting for a window or for the output to drain, served in turn.
    private List<Http2Stream>? _sendQueue;
    private bool _pumping;
    private ArrayBufferWriter<byte>? _headerScratch;

    internal IConnection Transport => _connection;

    internal int PeerMaxFrameSize => _peerMaxFrameSize;

    internal Http2Limits Limits2 => _limits;

    internal Http1.HttpProtocolFactory Factory => _factory;

    /// <summary>How many bytes of DATA <paramref name="stream"/> may send now, at most <paramref name="wanted"/> and one frame; the windows are charged.</summary>
    internal int TakeSendAllowance(Http2Stream stream, int wanted)
    {
        long allowed = Math.Min(Math.Min(stream.SendWindow, _sendWindow), Math.Min(wanted, _peerMaxFrameSize));
        if (allowed <= 0) return 0;
        stream.SendWindow -= allowed;
        _sendWindow -= allowed;
        // Each DATA frame sent earns the client one WINDOW_UPDATE that is not a flood.
        _windowUpdates.Refund();
        return (int)allowed;
    }

    /// <summary>True while the connection's output is below the high-water mark (the peer is keeping up).</summary>
    internal bool OutputHasRoom => _connection.PendingOutputBytes < OutputHighWater;

    /// <summary>The stream has DATA waiting; it is served when windows and the output allow.</summary>
    internal void Enqueue(Http2Stream stream)
    {
        var queue = _sendQueue ??= new List<Http2Stream>();
        if (!queue.Contains(stream)) queue.Add(stream);
        UpdateStallTimer();
    }

    /// <summary>Windows opened or the output drained: serve waiting streams.</summary>
    internal void ScheduleSend()
    {
        if (_sendQueue is { Count: > 0 }) PumpSendQueue();
    }

    private void PumpSendQueue()
    {
        if (_pumping || IsClosed) return;
        _pumping = true;
        try
        {
            var queue = _sendQueue!;
            bool progress = true;
            while (progress && queue.Count > 0 && _sendWindow > 0 && OutputHasRoom)
            {
                progress = false;
                // One frame per stream per round: round-robin, so one large response does not starve small ones.
                for (int i = 0; i < queue.Count && OutputHasRoom; i++)
                {
                    var stream = queue[i];
                    var step = stream.SendPending();
                    if (step == SendStep.Sent || step == SendStep.Finished) progress = true;
                    if (step == SendStep.Finished)
                    {
                        queue.RemoveAt(i);
                        i--;
                        CloseIfDone(stream);
                        if (IsClosed) return;
                    }
                }
            }
        }
        finally
        {
            _pumping = false;
        }
        UpdateStallTimer();
        _connection.Flush();
    }

    public void OnOutputDrained(IConnection connection)
    {
        int turn = EnterTurn();
        try
        {
            ScheduleSend();
        }
        finally
        {
            ExitTurn(turn);
        }
    }

    /// <summary>Encodes and writes a stream's response head (or trailers) as HEADERS + CONTINUATION.</summary>
    internal void WriteHeaderBlock(Http2Stream stream, Action<HpackEncoder, IBufferWriter<byte>, Http2Stream> encode, bool endStream)
    {
        var scratch = _headerScratch ??= new ArrayBufferWriter<byte>(256);
        scratch.ResetWrittenCount();
        var encoder = _encoder ??= CreateEncoder();
        encode(encoder, scratch, stream);
        Http2FrameWriter.WriteHeaders(_connection.Output, stream.Id, scratch.WrittenSpan, endStream, _peerMaxFrameSize);
        _connection.Flush();
    }

    private HpackEncoder CreateEncoder()
    {
        var encoder = new HpackEncoder(DefaultHeaderTableSize);
        if (_peerHeaderTableSize != DefaultHeaderTableSize) encoder.SetMaxTableSize(_peerHeaderTableSize);
        return encoder;
    }

    /// <summary>
    /// A stream ended on both sides (or was reset) and its handler is done: it leaves the table and its objects go back
    /// to the pool. A stream whose handler still runs leaves the table (the id is closed) but keeps its objects until
    /// the handler ends.
    /// </summary>
    internal void CloseIfDone(Http2Stream stream)
    {
        if (!stream.LocalClosed) return;
        if (!stream.RemoteClosed)
        {
            // §8.1: the response is complete while the client is still sending: tell it to stop (NO_ERROR), which
            // also discards what it sends meanwhile.
            Http2FrameWriter.WriteRstStream(_connection.Output, stream.Id, Http2ErrorCode.NoError);
            RememberReset(stream.Id);
            stream.RemoteClosed = true;
        }
        RemoveStream(stream);
    }

    private void RemoveStream(Http2Stream stream)
    {
        if (_streams is null || !_streams.Remove(stream.Id)) return;
        // Whatever its handler left unread (or never read) is given back to the connection: the client may reuse it.
        CreditConnection(stream.DiscardBody());
        _sendQueue?.Remove(stream);
        if (stream.HandlerRunning)
        {
            stream.Detached = true;
            _detachedHandlers++;
        }
        else
        {
            stream.Release();
        }
        if (ActiveStreamCount == 0) OnLastStreamClosed();
    }

    /// <summary>A detached stream's handler finished: its objects go back to the pool.</summary>
    internal void OnDetachedHandlerDone(Http2Stream stream)
    {
        _detachedHandlers--;
        stream.Release();
    }

    /// <summary>A stream error (§5.4.2): RST_STREAM with <paramref name="code"/>; the connection goes on. Counts against the reset budget ("MadeYouReset").</summary>
    internal void StreamError(Http2Stream stream, Http2ErrorCode code, string reason)
    {
        Interlocked.Increment(ref Counters.StreamErrors);
        LogStreamError(stream.Id, code, reason);
        if (!SpendReset("the server reset")) return;
        Http2FrameWriter.WriteRstStream(_connection.Output, stream.Id, code);
        RememberReset(stream.Id);
        CloseStream(stream, new ClientDisconnectedException($"stream {stream.Id} was reset ({code}): {reason}"));
    }

    /// <summary>The handler failed after part of its response was sent (or its file broke): RST_STREAM(INTERNAL_ERROR); not the client's doing, so not charged to it.</summary>
    internal void ResetAfterFailure(Http2Stream stream)
    {
        if (IsClosed || stream.LocalClosed && stream.RemoteClosed) return;
        Http2FrameWriter.WriteRstStream(_connection.Output, stream.Id, Http2ErrorCode.InternalError);
        RememberReset(stream.Id);
        CloseStream(stream, new IOException($"stream {stream.Id} was reset after its response failed"));
        _connection.Flush();
    }

    /// <summary>Resets a stream id that may have no stream object (idle, or refused).</summary>
    private void ResetStream(int streamId, Http2ErrorCode code, string reason)
    {
        var stream = FindStream(streamId);
        if (stream is not null)
        {
            StreamError(stream, code, reason);
            return;
        }
        Interlocked.Increment(ref Counters.StreamErrors);
        LogStreamError(streamId, code, reason);
        if (!SpendReset("the server reset")) return;
        Http2FrameWriter.WriteRstStream(_connection.Output, streamId, code);
        RememberReset(streamId);
    }

    /// <summary>Ends a stream at once (reset by either side): the handler is told, pending output dropped.</summary>
    private void CloseStream(Http2Stream stream, Exception reason)
    {
        stream.RemoteClosed = true;
        stream.LocalClosed = true;
        stream.Abort(reason);
        RemoveStream(stream);
    }
}
