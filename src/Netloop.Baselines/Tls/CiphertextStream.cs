using System.Threading.Tasks.Sources;
using Netloop.Transport;

namespace Netloop.Baselines.Tls;

/// <summary>
/// The duplex stream <see cref="System.Net.Security.SslStream"/> reads and writes ciphertext through, over a reactor
/// connection, without ever blocking: a read with no bytes at hand stays pending until the connection's next
/// <c>OnReceived</c> hands bytes in with <see cref="Offer"/>, which completes it on the loop thread, inline (no thread
/// pool hop); a write appends to the connection's output and completes at once. Zero-byte reads are honoured as
/// "wait until bytes arrive" and hold no buffer, which is what lets SslStream drop its own read buffer while idle.
/// </summary>
internal sealed unsafe class CiphertextStream : Stream, IValueTaskSource<int>
{
    private readonly IConnection _connection;
    private ManualResetValueTaskSourceCore<int> _read = new() { RunContinuationsAsynchronously = false };
    private Memory<byte> _readBuffer;
    private bool _readPending;

    // The bytes of the OnReceived call in progress, valid only inside Offer (the span is pinned there).
    private byte* _offered;
    private int _offeredLength;

    private bool _ended;
    private bool _closed;

    public CiphertextStream(IConnection connection) => _connection = connection;

    /// <summary>True while SslStream waits for ciphertext.</summary>
    public bool IsReadPending => _readPending;

    /// <summary>
    /// Feeds <paramref name="data"/> to the pending reads, each completed inline so SslStream (and the plaintext
    /// protocol after it) runs on to its next read within this call; returns how many bytes were taken. Bytes left
    /// over mean nobody reads now (the plaintext protocol suspended its input): the caller keeps them.
    /// </summary>
    public int Offer(ReadOnlySpan<byte> data)
    {
        fixed (byte* bytes = data)
        {
            _offered = bytes;
            _offeredLength = data.Length;
            try
            {
                while (_readPending && _offeredLength > 0) CompleteRead(TakeOffered(_readBuffer.Span));
                return data.Length - _offeredLength;
            }
            finally
            {
                _offered = null;
                _offeredLength = 0;
            }
        }
    }

    /// <summary>The peer finished sending: a pending read and every later one returns 0.</summary>
    public void End()
    {
        _ended = true;
        if (_readPending) CompleteRead(0);
    }

    /// <summary>The connection is gone: reads end and writes are dropped (its output was already returned to the pool).</summary>
    public void Detach()
    {
        _closed = true;
        End();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_readPending) throw new InvalidOperationException("one read at a time");
        if (_offeredLength > 0) return new ValueTask<int>(TakeOffered(buffer.Span));
        if (_ended) return new ValueTask<int>(0);
        _read.Reset();
        _readBuffer = buffer;
        _readPending = true;
        return new ValueTask<int>(this, _read.Version);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_closed) return;
        var output = _connection.Output;
        while (!buffer.IsEmpty)
        {
            var span = output.GetSpan(1);
            int n = Math.Min(span.Length, buffer.Length);
            buffer[..n].CopyTo(span);
            output.Advance(n);
            buffer = buffer[n..];
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return default;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    // Bytes written go out when the loop flushes the connection: nothing to wait for.
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // A blocking read would stall the loop thread: SslStream is only ever driven through ReadAsync here.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("reads are asynchronous only");

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    int IValueTaskSource<int>.GetResult(short token) => _read.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _read.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _read.OnCompleted(continuation, state, token, flags);

    /// <summary>Copies offered bytes into <paramref name="destination"/>; an empty destination (a zero-byte read) takes none.</summary>
    private int TakeOffered(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, _offeredLength);
        new ReadOnlySpan<byte>(_offered, n).CopyTo(destination);
        _offered += n;
        _offeredLength -= n;
        return n;
    }

    private void CompleteRead(int count)
    {
        _readPending = false;
        _readBuffer = default;
        // Runs SslStream's continuation right here: it decrypts and, more often than not, asks for the next read.
        _read.SetResult(count);
    }
}
