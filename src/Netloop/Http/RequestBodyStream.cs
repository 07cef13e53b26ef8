using System.Threading.Tasks.Sources;

namespace Netloop.Http;

/// <summary>
/// The request body as a read-only stream. The protocol appends decoded body bytes as they arrive (bounded: it stops
/// reading the socket while the buffer is full); the application reads them. Reads that would wait must be async:
/// a synchronous one would block the event loop, so it throws instead (as Kestrel does with AllowSynchronousIO off).
/// </summary>
public sealed class RequestBodyStream : Stream, IValueTaskSource<int>
{
    /// <summary>Body bytes buffered before the protocol stops reading the socket.</summary>
    internal const int BufferLimit = 64 * 1024;

    private ManualResetValueTaskSourceCore<int> _pending = new() { RunContinuationsAsynchronously = true };
    private byte[] _buffer = []; // most requests have no body: no buffer until one arrives
    private int _start;
    private int _end;
    private bool _complete;
    private bool _requested;
    private Exception? _failure;
    private Memory<byte> _pendingDestination;
    private bool _hasPendingRead;
    private IHttpExchange? _exchange;
    private bool _unbounded;
    private TaskCompletionSource? _whenComplete;
    private long _released;

    /// <summary>Bytes buffered and not yet read.</summary>
    internal int Buffered => _end - _start;

    /// <summary>Room left before the protocol must stop reading (no bound while the whole body is being buffered).</summary>
    internal int Room => _unbounded ? int.MaxValue : BufferLimit - Buffered;

    /// <summary>
    /// Body bytes the protocol need no longer hold against its flow-control window: those the application read, and,
    /// once the whole body is being buffered for it, every byte received.
    /// </summary>
    internal long Released => _released;

    /// <summary>True once the whole body has arrived.</summary>
    internal bool IsComplete => _complete;

    /// <summary>True once the application asked for body bytes.</summary>
    internal bool WasRequested => _requested;

    internal void Reset(IHttpExchange exchange, bool hasBody)
    {
        _exchange = exchange;
        _start = _end = 0;
        _complete = !hasBody;
        _requested = false;
        _failure = null;
        _hasPendingRead = false;
        _pendingDestination = default;
        _unbounded = false;
        _whenComplete = null;
        _released = 0;
    }

    /// <summary>
    /// Buffers the whole body (bounded by the server's body size limit) and completes once it is in, so a handler on a
    /// worker thread can read it without touching the connection. Call on the connection's thread.
    /// </summary>
    internal Task BufferEntireBodyAsync()
    {
        if (_complete) return Task.CompletedTask;
        _unbounded = true;
        _released += Buffered;
        _whenComplete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_requested)
        {
            _requested = true;
            _exchange?.OnBodyRequested();
        }
        _exchange?.OnBodyConsumed(); // lets input resume if it was suspended for a full buffer
        return _whenComplete.Task;
    }

    /// <summary>Adds body bytes (at most <see cref="Room"/>); completes a waiting read.</summary>
    internal void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        if (_unbounded) _released += data.Length;
        if (_hasPendingRead && Buffered == 0)
        {
            int direct = Math.Min(data.Length, _pendingDestination.Length);
            data[..direct].CopyTo(_pendingDestination.Span);
            data = data[direct..];
            CompletePending(direct);
        }
        if (data.IsEmpty) return;
        if (_buffer.Length - _end < data.Length)
        {
            int length = Buffered;
            if (_buffer.Length < length + data.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, length + data.Length));
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, length);
            _start = 0;
            _end = length;
        }
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>The body ended; a waiting read returns 0.</summary>
    internal void Complete()
    {
        _complete = true;
        if (_hasPendingRead && Buffered == 0) CompletePending(0);
        _whenComplete?.TrySetResult();
    }

    /// <summary>The body cannot be finished (the connection closed, or the body was malformed).</summary>
    internal void Fail(Exception error)
    {
        _failure ??= error;
        _whenComplete?.TrySetException(error);
        if (_hasPendingRead)
        {
            _hasPendingRead = false;
            _pending.SetException(error);
        }
    }

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_hasPendingRead) throw new InvalidOperationException("a read is already pending on the request body");
        if (TryReadBuffered(buffer.Span, out int n)) return new ValueTask<int>(n);
        _hasPendingRead = true;
        _pendingDestination = buffer;
        _pending.Reset();
        return new ValueTask<int>(this, _pending.Version);
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (TryReadBuffered(buffer, out int n)) return n;
        throw new InvalidOperationException("synchronous reads of a request body that has not arrived would block the event loop; use ReadAsync");
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Reads the whole body as a byte array (bounded by the server's body size limit).</summary>
    public async ValueTask<byte[]> ReadAllAsync()
    {
        using var copy = new MemoryStream();
        await CopyToAsync(copy).ConfigureAwait(true);
        return copy.ToArray();
    }

    private bool TryReadBuffered(Span<byte> destination, out int read)
    {
        if (_failure is not null) throw new IOException("the request body could not be read", _failure);
        if (!_requested)
        {
            _requested = true;
            _exchange?.OnBodyRequested();
        }
        if (Buffered > 0)
        {
            read = Math.Min(destination.Length, Buffered);
            _buffer.AsSpan(_start, read).CopyTo(destination);
            _start += read;
            if (_start == _end) _start = _end = 0;
            if (!_unbounded) _released += read;
            _exchange?.OnBodyConsumed();
            return true;
        }
        read = 0;
        return _complete || destination.IsEmpty;
    }

    private void CompletePending(int read)
    {
        _hasPendingRead = false;
        _pendingDestination = default;
        if (!_unbounded) _released += read;
        _pending.SetResult(read);
        if (read > 0) _exchange?.OnBodyConsumed();
    }

    int IValueTaskSource<int>.GetResult(short token) => _pending.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _pending.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        // Whatever the awaiter asked for (Stream.CopyToAsync awaits with ConfigureAwait(false)), the code after a body
        // read goes on writing the response, so it must run on the connection's thread: schedule it there.
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_exchange?.LoopContext);
        try
        {
            _pending.OnCompleted(continuation, state, token, flags | ValueTaskSourceOnCompletedFlags.UseSchedulingContext);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
