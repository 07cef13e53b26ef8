using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Netloop.Buffers;
using Netloop.Protocols;
using Netloop.Transport;

namespace Netloop.Baselines;

/// <summary>
/// The output queue: bytes in a buffer chain, and file ranges queued between them, each at the position in the
/// output byte stream where it was queued, as the reactor keeps them. The subclass sends the front, in a turn.
/// </summary>
internal abstract partial class SocketConnection
{
    private readonly BufferChain _output;
    private Queue<FileSegment>? _files;
    private long _fileBytesPending;
    private long _chainBytesSent;

    public IBufferWriter<byte> Output => _output;

    public long PendingOutputBytes => _output.Length + Volatile.Read(ref _fileBytesPending);

    /// <summary>In a turn: true while bytes or file ranges wait to be sent.</summary>
    protected bool HasPendingOutput => !_output.IsEmpty || _fileBytesPending > 0;

    public void Flush()
    {
        // Inside a protocol call or posted work the turn sends when the call returns; from elsewhere, a posted turn does.
        if (IsInProtocolCall || _closed || DiscardsOutput) return;
        PostNothing();
    }

    /// <remarks>Call in a protocol call or posted work, as <see cref="IConnection"/> asks.</remarks>
    public void SendFile(SafeFileHandle file, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (_closed || length <= 0)
        {
            file.Dispose();
            return;
        }
        (_files ??= new Queue<FileSegment>()).Enqueue(new FileSegment(file, offset, length, _chainBytesSent + _output.Length));
        Volatile.Write(ref _fileBytesPending, _fileBytesPending + length);
        Flush();
    }

    /// <summary>In a turn: the file range to send now, when every byte buffered before it has been sent; otherwise null and bytes go first.</summary>
    protected FileSegment? FileDue => _files is { Count: > 0 } files && files.Peek().StreamPosition == _chainBytesSent ? files.Peek() : null;

    /// <summary>
    /// In a turn: the first buffered bytes waiting to be sent, up to the next queued file range. The chain may start with
    /// an empty block (rented by GetSpan and never advanced).
    /// </summary>
    protected Memory<byte> PendingFront()
    {
        long limit = _files is { Count: > 0 } files ? files.Peek().StreamPosition - _chainBytesSent : long.MaxValue;
        for (var block = _output.Head; block is not null; block = block.Next)
        {
            if (block.Length > 0) return block.Length <= limit ? block.DataMemory : block.DataMemory[..(int)limit];
        }
        return Memory<byte>.Empty;
    }

    /// <summary>In a turn: drops <paramref name="count"/> sent bytes from the front of the chain and counts them.</summary>
    protected void OnSent(int count)
    {
        _output.Consume(count);
        _chainBytesSent += count;
        NoteActivity();
        Interlocked.Add(ref _engine.Counters.BytesSent, count);
    }

    /// <summary>In a turn: <paramref name="count"/> bytes of <paramref name="file"/> were sent; a range sent to its end is disposed.</summary>
    protected void OnFileSent(FileSegment file, int count)
    {
        file.Offset += count;
        file.Remaining -= count;
        Volatile.Write(ref _fileBytesPending, _fileBytesPending - count);
        NoteActivity();
        Interlocked.Add(ref _engine.Counters.BytesSent, count);
        if (file.Remaining == 0) _files!.Dequeue().File.Dispose();
    }

    /// <summary>The file ended before the length the protocol promised (truncated meanwhile): the response is broken, so the connection fails. Always false.</summary>
    protected bool FailShortFile(FileSegment file)
    {
        _engine.Logger.LogError("connection {Id}: file ended {Missing} bytes before the length queued; closing it", Id, file.Remaining);
        Fail(CloseReason.Error);
        return false;
    }

    /// <summary>Reading a queued file failed: the connection fails. Always false.</summary>
    protected bool FailFileRead(Exception e)
    {
        _engine.Logger.LogError(e, "connection {Id}: reading a queued file failed; closing it", Id);
        Fail(CloseReason.Error);
        return false;
    }

    /// <summary>In a turn: drops every unsent byte and disposes every queued file.</summary>
    private void ClearOutput()
    {
        _output.Clear();
        if (_files is not null)
        {
            while (_files.TryDequeue(out var file)) file.File.Dispose();
        }
        Volatile.Write(ref _fileBytesPending, 0);
        _chainBytesSent = 0;
    }
}
