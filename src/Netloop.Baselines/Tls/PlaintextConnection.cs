using System.Buffers;
using System.Net;
using Microsoft.Win32.SafeHandles;
using Netloop.Reactor;
using Netloop.Transport;

namespace Netloop.Baselines.Tls;

/// <summary>
/// The connection the plaintext protocol (echo, HTTP/1.1, HTTP/2) sees inside TLS: its output collects in a
/// <see cref="PlaintextWriter"/> and is encrypted into the transport connection's output after each call into the
/// protocol (and on <see cref="Flush"/>); input control, timers and closing map onto the TLS connection.
/// </summary>
internal sealed class PlaintextConnection : IConnection
{
    private static readonly Action<object?> s_encryptOutput = static state => ((PlaintextConnection)state!).EncryptOutputAndFlush();

    private readonly SslStreamProtocol _tls;
    private readonly PlaintextWriter _output = new();

    public PlaintextConnection(SslStreamProtocol tls) => _tls = tls;

    public long Id => _tls.Transport.Id;

    public IPEndPoint? RemoteEndPoint => _tls.Transport.RemoteEndPoint;

    public IBufferWriter<byte> Output => _output;

    public long PendingOutputBytes => _output.Length + _tls.Transport.PendingOutputBytes;

    public LoopClock Clock => _tls.Transport.Clock;

    public void Flush() => EncryptOutputAndFlush();

    public void Post(Action<object?> work, object? state)
    {
        var transport = _tls.Transport;
        transport.Post(work, state);
        // Posts run in order: what the work writes is encrypted right after it, on the same turn.
        transport.Post(s_encryptOutput, this);
    }

    public void SuspendInput() => _tls.SuspendInput();

    public void ResumeInput() => _tls.ResumeInput();

    /// <summary>No sendfile under TLS in user space: the file is read and encrypted in blocks.</summary>
    public void SendFile(SafeFileHandle file, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(file);
        using (file)
        {
            EncryptOutput();
            if (_tls.IsClosed) return;
            var block = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                while (length > 0)
                {
                    int n = RandomAccess.Read(file, block.AsSpan(0, (int)Math.Min(block.Length, length)), offset);
                    if (n == 0) throw new IOException($"file ended {length} bytes early");
                    _tls.Ssl.Write(block, 0, n);
                    offset += n;
                    length -= n;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(block);
            }
        }
    }

    public void SetTimer(TimeSpan? dueIn)
    {
        if (!_tls.IsClosed) _tls.Transport.SetTimer(dueIn);
    }

    /// <summary>Sends what is written, then close_notify, then closes the connection once that is out.</summary>
    public void Close()
    {
        if (_tls.IsClosed) return;
        _tls.StopInput();
        EncryptOutput();
        try
        {
            // Completes at once: CiphertextStream's writes do.
            _tls.Ssl.ShutdownAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // A connection whose TLS already failed closes without close_notify.
        }
        _tls.Transport.Close();
    }

    public void Abort()
    {
        _tls.StopInput();
        _tls.RequestAbort();
    }

    public void SwitchProtocol(IConnectionProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        if (!_tls.IsClosed) _tls.Inner = protocol;
    }

    /// <summary>Encrypts what the protocol wrote into the transport connection's output (TLS records of up to 16 KiB).</summary>
    internal void EncryptOutput()
    {
        if (_output.Length == 0) return;
        if (_tls.IsClosed)
        {
            _output.Clear();
            return;
        }
        try
        {
            var written = _output.Written;
            _tls.Ssl.Write(written.Array!, written.Offset, written.Count);
        }
        finally
        {
            _output.Clear();
        }
    }

    /// <summary>Returns the output's array; the connection is closed.</summary>
    internal void Release() => _output.Clear();

    private void EncryptOutputAndFlush()
    {
        if (_tls.IsClosed) return;
        EncryptOutput();
        _tls.Transport.Flush();
    }
}
