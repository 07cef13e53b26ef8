namespace Netloop.Protocols.Http2;

/// <summary>
/// Request bodies under flow control (RFC 9113 §5.2, §6.1, §6.9): DATA is charged to the connection's and the stream's
/// receive windows, and the windows reopen as the handler reads, so a slow handler holds back its own stream only and
/// the bytes waiting unread on a connection never exceed its window.
/// </summary>
internal sealed partial class Http2Connection
{
    // What the client may still send on the connection, and what was read (or discarded) and not yet given back.
    private long _receiveWindow;
    private long _connectionCredit;

    // Streams this side reset lately: DATA still in flight for them is ignored (§5.4.2), not a protocol error.
    private int[]? _recentResets;
    private int _recentResetNext;

    private void OnData(Http2FrameHeader frame, ReadOnlySpan<byte> payload)
    {
        int id = frame.StreamId;
        if (id == 0)
        {
            ConnectionError(Http2ErrorCode.ProtocolError, "DATA on stream 0");
            return;
        }
        if (IsIdle(id))
        {
            ConnectionError(Http2ErrorCode.ProtocolError, $"DATA on idle stream {id}");
            return;
        }
        int flowLength = frame.Length;
        if (flowLength > _receiveWindow)
        {
            ConnectionError(Http2ErrorCode.FlowControlError, $"DATA of {flowLength} bytes beyond the connection window of {_receiveWindow}");
            return;
        }
        _receiveWindow -= flowLength;
        var stream = FindStream(id);
        if (stream is null)
        {
            CreditConnection(flowLength);
            if (WasResetLately(id)) return;
            if (WasResetByClient(id))
            {
                // §5.1 closed: a frame after the client's own RST_STREAM is a stream error.
                ResetStream(id, Http2ErrorCode.StreamClosed, "DATA after the client reset the stream");
                return;
            }
            // §5.1: the client ended this stream itself, and sends more.
            ConnectionError(Http2ErrorCode.StreamClosed, $"DATA on closed stream {id}");
            return;
        }
        if (stream.RemoteClosed)
        {
            CreditConnection(flowLength);
            StreamError(stream, Http2ErrorCode.StreamClosed, "DATA after END_STREAM");
            return;
        }
        if (flowLength > stream.ReceiveWindow)
        {
            CreditConnection(flowLength);
            StreamError(stream, Http2ErrorCode.FlowControlError, $"DATA of {flowLength} bytes beyond the stream window of {stream.ReceiveWindow}");
            return;
        }
        stream.ReceiveWindow -= flowLength;
        stream.ExpectsContinue = false; // the client stopped waiting for 100 (RFC 9110 §10.1.1 lets the server omit it)
        if (!TryRemovePadding(frame, ref payload)) return;
        bool endStream = frame.HasFlag(Http2Flags.EndStream);
        if (payload.IsEmpty && !endStream && !SpendEmptyFrame()) return;
        int padding = flowLength - payload.Length;
        if (padding > 0)
        {
            // Padding is never read by anyone: give it back at once.
            CreditConnection(padding);
            stream.CreditPadding(padding);
        }
        switch (stream.ReceiveBody(payload))
        {
            case BodyReceipt.Accepted:
                break;
            case BodyReceipt.Discarded:
                CreditConnection(payload.Length);
                break;
            case BodyReceipt.LengthExceeded:
                CreditConnection(payload.Length);
                StreamError(stream, Http2ErrorCode.ProtocolError, "more DATA than content-length announced");
                return;
            case BodyReceipt.TooLarge:
                CreditConnection(payload.Length);
                stream.RejectBody(413);
                return;
        }
        if (endStream) EndRequestBody(stream);
    }

    /// <summary>The client ended its side of the stream (END_STREAM on DATA or trailers).</summary>
    private void EndRequestBody(Http2Stream stream)
    {
        if (!stream.BodyLengthMatches)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "the DATA received does not add up to content-length");
            return;
        }
        stream.RemoteClosed = true;
        stream.CompleteBody();
        CloseIfDone(stream);
    }

    /// <summary>
    /// Bytes read by a handler or thrown away go back to the client (§6.9): at once when half the connection window is
    /// due, otherwise at the end of the turn if the client is running short (<see cref="CreditAtTurnEnd"/>).
    /// </summary>
    internal void CreditConnection(long bytes)
    {
        if (bytes <= 0 || IsClosed) return;
        _connectionCredit += bytes;
        if (_connectionCredit >= ConnectionWindowUpdateThreshold) SendConnectionCredit();
    }

    /// <summary>
    /// The end of a turn: credit still held back is sent if the client may send less than half the connection window,
    /// so a window held by streams whose handlers do not read never starves the streams that do (their reads are
    /// given back turn by turn instead of waiting for half a window to gather).
    /// </summary>
    private void CreditAtTurnEnd()
    {
        if (_connectionCredit > 0 && _receiveWindow < ConnectionWindowUpdateThreshold && !IsClosed) SendConnectionCredit();
    }

    private void SendConnectionCredit()
    {
        // The window never exceeds what was advertised, so the credit fits a WINDOW_UPDATE (at most 2^31-1).
        int credit = (int)_connectionCredit;
        Http2FrameWriter.WriteWindowUpdate(_connection.Output, 0, credit);
        _receiveWindow += credit;
        _connectionCredit = 0;
        _connection.Flush();
    }

    private int ConnectionWindowUpdateThreshold => _limits.InitialConnectionWindowSize / 2;

    /// <summary>A stream's handler read <paramref name="bytes"/>: reopen its window, if the client may still send on it.</summary>
    internal void CreditStream(Http2Stream stream, int bytes)
    {
        if (IsClosed || stream.RemoteClosed || !ReferenceEquals(FindStream(stream.Id), stream)) return;
        Http2FrameWriter.WriteWindowUpdate(_connection.Output, stream.Id, bytes);
        stream.ReceiveWindow += bytes;
        _connection.Flush();
    }

    internal int StreamWindowUpdateThreshold => Math.Max(1, _limits.InitialStreamWindowSize / 2);

    /// <summary>
    /// Remembers a reset among the last 128: <paramref name="streamId"/> for one this side sent (frames the client sent
    /// before it saw it are ignored), its negation for one the client sent (frames after it are a stream error).
    /// </summary>
    private void RememberReset(int streamId)
    {
        var recent = _recentResets ??= new int[128];
        recent[_recentResetNext] = streamId;
        _recentResetNext = (_recentResetNext + 1) % recent.Length;
    }

    private bool WasResetLately(int streamId) => _recentResets is { } recent && Array.IndexOf(recent, streamId) >= 0;

    private bool WasResetByClient(int streamId) => _recentResets is { } recent && Array.IndexOf(recent, -streamId) >= 0;
}

/// <summary>What became of a DATA frame's payload.</summary>
internal enum BodyReceipt
{
    /// <summary>Buffered for the handler (or handed straight to its pending read).</summary>
    Accepted,
    /// <summary>The response is already complete: nobody will read it.</summary>
    Discarded,
    /// <summary>More than content-length announced (§8.1.1: malformed).</summary>
    LengthExceeded,
    /// <summary>Past the server's request body size limit.</summary>
    TooLarge,
}
