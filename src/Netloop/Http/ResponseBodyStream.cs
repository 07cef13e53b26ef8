namespace Netloop.Http;

/// <summary>The response body as a write-only stream over <see cref="HttpResponse"/>; FlushAsync starts streaming.</summary>
internal sealed class ResponseBodyStream(HttpResponse response) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer) => response.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => response.Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        response.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        response.Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush() => response.StartAsync();

    public override Task FlushAsync(CancellationToken cancellationToken) => response.StartAsync();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
