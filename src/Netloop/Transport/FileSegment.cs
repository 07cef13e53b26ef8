using Microsoft.Win32.SafeHandles;

namespace Netloop.Transport;

/// <summary>
/// A file range queued for sendfile(2) between a connection's buffered output bytes. <see cref="StreamPosition"/> is
/// where in the connection's output byte stream the file goes: after that many buffered bytes have been sent.
/// </summary>
internal sealed class FileSegment(SafeFileHandle file, long offset, long length, long streamPosition)
{
    public SafeFileHandle File { get; } = file;

    public long Offset { get; set; } = offset;

    public long Remaining { get; set; } = length;

    public long StreamPosition { get; } = streamPosition;
}
