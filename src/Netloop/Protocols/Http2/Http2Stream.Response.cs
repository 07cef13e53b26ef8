using System.Buffers;
using System.Buffers.Text;
using Microsoft.Win32.SafeHandles;
using Netloop.Http;
using Netloop.Protocols.Http1;
using Netloop.Protocols.Http2.Hpack;

namespace Netloop.Protocols.Http2;

/// <summary>
/// Writing the response: HEADERS (HPACK, with the fields that repeat from response to response indexed), then DATA under
/// the stream's and connection's send windows. Bytes a window cannot take yet wait in a pooled buffer; a file is read
/// into DATA frames piece by piece as windows and the output allow (no sendfile under HTTP/2's framing); the last
/// frame carries END_STREAM, or trailers end the stream.
/// </summary>
internal sealed partial class Http2Stream
{
    private byte[]? _pending;
    private int _pendingStart;
    private int _pendingEnd;
    // The response is complete once what waits is sent: END_STREAM (or trailers) follows it.
    private bool _endPending;
    private SafeFileHandle? _file;
    private long _fileOffset;
    private long _fileRemaining;
    private long _headContentLength;

    private bool HasPending => _pendingEnd > _pendingStart || _file is not null;

    private bool IsHead => _context.Head.IsHead;

    private void ResetResponse()
    {
        DropPending();
        _endPending = false;
    }

    private void DropPending()
    {
        if (_pending is not null)
        {
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = null;
        }
        _pendingStart = _pendingEnd = 0;
        _file?.Dispose();
        _file = null;
        _fileRemaining = 0;
    }

    /// <summary>HTTP/2 always carries trailers (as a last HEADERS frame).</summary>
    public bool SupportsTrailers => _owner is not null;

    /// <summary>The stream's END_STREAM went out (a reset stream is not complete: trailers added to it are dropped, not refused).</summary>
    public bool ResponseCompleted => LocalClosed && !_aborted;

    private bool HasTrailers => _context.Response.HasTrailers;

    void IHttpExchange.StartStreaming()
    {
        ThrowIfOffTurn();
        if (LocalClosed) return;
        WriteHead(-1, endStream: false);
        _context.Response.FlushStreamed();
    }

    void IHttpExchange.WriteStreamed(ReadOnlySpan<byte> data)
    {
        ThrowIfOffTurn();
        if (data.IsEmpty || LocalClosed || IsHead || !BodyAllowed(_context.Response.StatusCode)) return;
        QueueData(data, end: false);
    }

    void IHttpExchange.SendFile(SafeFileHandle file, long offset, long length)
    {
        if (_owner is not { } owner || !owner.OnTurn)
        {
            file.Dispose();
            ThrowIfOffTurn();
            return;
        }
        if (LocalClosed)
        {
            file.Dispose();
            return;
        }
        bool body = !IsHead && BodyAllowed(_context.Response.StatusCode) && length > 0;
        WriteHead(length, endStream: !body && !HasTrailers);
        if (!body)
        {
            file.Dispose();
            if (!LocalClosed) EndStream();
            return;
        }
        _file = file;
        _fileOffset = offset;
        _fileRemaining = length;
        _endPending = true;
        owner.Enqueue(this);
        owner.ScheduleSend();
    }

    /// <summary>The handler finished: the whole response, or the end of a streamed one.</summary>
    internal void WriteResponse()
    {
        var response = _context.Response;
        if (response.SentFile)
        {
            response.SendDeferredFile();
            return;
        }
        if (response.HasStarted)
        {
            response.FlushStreamed();
            EndStream();
            return;
        }
        var body = response.BufferedBody;
        bool withBody = !IsHead && BodyAllowed(response.StatusCode) && !body.IsEmpty;
        response.HasStarted = true;
        WriteHead(body.Length, endStream: !withBody && !HasTrailers);
        if (LocalClosed) return;
        if (withBody) QueueData(body, end: true);
        else EndStream();
    }

    /// <summary>The response ends now, or once what waits for a window is sent.</summary>
    private void EndStream()
    {
        if (LocalClosed) return;
        if (HasPending)
        {
            _endPending = true;
            return;
        }
        FinishStream(lastDataSent: false);
    }

    /// <summary>Trailers (or an empty DATA frame, unless the last DATA frame carried END_STREAM already) close the stream.</summary>
    private void FinishStream(bool lastDataSent)
    {
        var owner = _owner!;
        if (HasTrailers)
        {
            owner.WriteHeaderBlock(this, static (encoder, output, stream) => stream.EncodeTrailers(encoder, output), endStream: true);
        }
        else if (!lastDataSent)
        {
            Http2FrameWriter.WriteDataHeader(owner.Transport.Output, Id, 0, endStream: true);
        }
        LocalClosed = true;
        owner.CloseIfDone(this);
    }

    /// <summary>Sends <paramref name="data"/> as far as the windows allow; the rest waits in the stream's buffer.</summary>
    private void QueueData(ReadOnlySpan<byte> data, bool end)
    {
        var owner = _owner!;
        if (!HasPending)
        {
            while (!data.IsEmpty)
            {
                int n = owner.TakeSendAllowance(this, data.Length);
                if (n == 0) break;
                bool last = end && n == data.Length && !HasTrailers;
                WriteDataFrame(data[..n], last);
                data = data[n..];
            }
            if (data.IsEmpty)
            {
                if (end)
                {
                    if (HasTrailers) FinishStream(lastDataSent: true);
                    else
                    {
                        LocalClosed = true;
                        owner.CloseIfDone(this);
                    }
                }
                return;
            }
        }
        AppendPending(data);
        if (end) _endPending = true;
        owner.Enqueue(this);
    }

    private void AppendPending(ReadOnlySpan<byte> data)
    {
        int length = _pendingEnd - _pendingStart;
        if (_pending is null || _pending.Length - _pendingEnd < data.Length)
        {
            var bigger = _pending is not null && _pending.Length >= length + data.Length
                ? _pending
                : ArrayPool<byte>.Shared.Rent(Math.Max(16 * 1024, (length + data.Length) * 2));
            if (_pending is not null)
            {
                _pending.AsSpan(_pendingStart, length).CopyTo(bigger);
                if (!ReferenceEquals(bigger, _pending)) ArrayPool<byte>.Shared.Return(_pending);
            }
            _pending = bigger;
            _pendingStart = 0;
            _pendingEnd = length;
        }
        data.CopyTo(_pending.AsSpan(_pendingEnd));
        _pendingEnd += data.Length;
    }

    /// <summary>One frame of what waits, if the windows allow; called by the connection's send pump.</summary>
    internal SendStep SendPending()
    {
        var owner = _owner;
        if (owner is null || LocalClosed) return SendStep.Finished;
        if (_pendingEnd > _pendingStart)
        {
            int length = _pendingEnd - _pendingStart;
            int n = owner.TakeSendAllowance(this, length);
            if (n == 0) return SendStep.Blocked;
            bool emptied = n == length;
            bool last = emptied && _file is null && _endPending && !HasTrailers;
            WriteDataFrame(_pending.AsSpan(_pendingStart, n), last);
            _pendingStart += n;
            if (emptied)
            {
                ArrayPool<byte>.Shared.Return(_pending!);
                _pending = null;
                _pendingStart = _pendingEnd = 0;
            }
            if (!emptied || _file is not null) return SendStep.Sent;
            return Drained(last);
        }
        if (_file is not null)
        {
            if (!SendFileFrame(owner, out bool last)) return LocalClosed ? SendStep.Finished : SendStep.Blocked;
            if (_file is not null) return SendStep.Sent;
            return Drained(last);
        }
        return Drained(lastDataSent: false);
    }

    /// <summary>Nothing waits any more: end the stream if the response is complete.</summary>
    private SendStep Drained(bool lastDataSent)
    {
        if (_endPending)
        {
            _endPending = false;
            if (lastDataSent)
            {
                LocalClosed = true;
            }
            else
            {
                FinishStream(lastDataSent: false);
                return SendStep.Finished;
            }
        }
        return SendStep.Finished;
    }

    /// <summary>Reads the next piece of the file straight into a DATA frame in the output; false when no window is open (or the file failed).</summary>
    private bool SendFileFrame(Http2Connection owner, out bool last)
    {
        last = false;
        int wanted = (int)Math.Min(_fileRemaining, owner.PeerMaxFrameSize);
        int n = owner.TakeSendAllowance(this, wanted);
        if (n == 0) return false;
        var output = owner.Transport.Output;
        var span = output.GetSpan(Http2FrameHeader.Size + n);
        int read = 0;
        try
        {
            while (read < n)
            {
                int got = RandomAccess.Read(_file!, span.Slice(Http2FrameHeader.Size + read, n - read), _fileOffset + read);
                if (got <= 0) break;
                read += got;
            }
        }
        catch (IOException)
        {
            read = -1;
        }
        if (read < n)
        {
            // The file shrank (or failed) under the response: what was promised cannot be sent. Reset the stream.
            owner.ResetAfterFailure(this);
            return false;
        }
        _fileOffset += n;
        _fileRemaining -= n;
        bool done = _fileRemaining == 0;
        last = done && _endPending && !HasTrailers;
        Http2FrameHeader.Write(span, n, Http2FrameType.Data, last ? Http2Flags.EndStream : Http2Flags.None, Id);
        output.Advance(Http2FrameHeader.Size + n);
        if (done)
        {
            _file!.Dispose();
            _file = null;
        }
        return true;
    }

    private void WriteDataFrame(ReadOnlySpan<byte> data, bool endStream)
    {
        var output = _owner!.Transport.Output;
        Http2FrameWriter.WriteDataHeader(output, Id, data.Length, endStream);
        output.Write(data);
    }

    private void WriteHead(long contentLength, bool endStream)
    {
        _headContentLength = contentLength;
        var owner = _owner!;
        owner.WriteHeaderBlock(this, static (encoder, output, stream) => stream.EncodeHead(encoder, output), endStream);
        if (!endStream) return;
        LocalClosed = true;
        owner.CloseIfDone(this);
    }

    private void EncodeHead(HpackEncoder encoder, IBufferWriter<byte> output)
    {
        var response = _context.Response;
        int status = response.StatusCode;
        encoder.EncodeStatus(status, output);
        // The fields that repeat from response to response are indexed: after the first response they cost a byte each.
        encoder.Encode("server"u8, "netloop"u8, output, HpackIndexing.Incremental);
        var dateLine = HttpDateCache.Line(_owner!.Transport.Clock);
        encoder.Encode("date"u8, dateLine[6..^2], output, HpackIndexing.Incremental);
        if (response.ContentType is { } contentType) encoder.Encode("content-type", contentType, output, HpackIndexing.Incremental);
        if (_headContentLength >= 0 && BodyAllowed(status))
        {
            Span<byte> digits = stackalloc byte[20];
            Utf8Formatter.TryFormat(_headContentLength, digits, out int n);
            encoder.Encode("content-length"u8, digits[..n], output);
        }
        foreach (var field in response.Headers.Fields)
        {
            if (IsConnectionSpecific(field.Key)) continue;
            var indexing = field.Key.Equals("set-cookie", StringComparison.OrdinalIgnoreCase) ? HpackIndexing.NeverIndexed : HpackIndexing.WithoutIndexing;
            encoder.Encode(field.Key, field.Value, output, indexing);
        }
    }

    private void EncodeTrailers(HpackEncoder encoder, IBufferWriter<byte> output)
    {
        foreach (var field in _context.Response.Trailers) encoder.Encode(field.Key, field.Value, output);
    }

    /// <summary>RFC 9113 §8.2.2: HTTP/1.1 connection fields must not be sent; a handler that set one is not an error.</summary>
    private static bool IsConnectionSpecific(string name) =>
        name.Equals("connection", StringComparison.OrdinalIgnoreCase) || name.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("upgrade", StringComparison.OrdinalIgnoreCase)
        || name.Equals("proxy-connection", StringComparison.OrdinalIgnoreCase);

    private static bool BodyAllowed(int status) => status >= 200 && status != 204 && status != 304;

    private void ThrowIfOffTurn()
    {
        if (_owner is { } owner && !owner.OnTurn)
        {
            throw new InvalidOperationException(
                "the response was written from a thread that is not its connection's (ConfigureAwait(false) in a handler?); "
                + "stay on the connection's context, or buffer the response, or use --handler-threads for blocking handlers");
        }
    }
}

/// <summary>What one turn of the send pump did for a stream.</summary>
internal enum SendStep
{
    /// <summary>A window is closed: nothing sent.</summary>
    Blocked,
    /// <summary>A frame went out; more waits.</summary>
    Sent,
    /// <summary>Nothing waits any more: the stream leaves the send queue.</summary>
    Finished,
}
