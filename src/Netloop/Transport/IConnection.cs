using System.Buffers;
using System.Net;
using Microsoft.Win32.SafeHandles;
using Netloop.Reactor;

namespace Netloop.Transport;

/// <summary>
/// What a protocol sees of its connection: an output to append to, and ways to end it. No file descriptor, socket or
/// thread shows through, so a protocol runs unchanged in every mode and in memory under test.
/// </summary>
public interface IConnection
{
    /// <summary>A process-unique number for logs.</summary>
    long Id { get; }

    /// <summary>The peer's address, looked up on first use.</summary>
    IPEndPoint? RemoteEndPoint { get; }

    /// <summary>Bytes appended here are sent in order. Inside <see cref="IConnectionProtocol.OnReceived"/> they go out when the call returns (coalesced with the loop's other output); elsewhere call <see cref="Flush"/>.</summary>
    IBufferWriter<byte> Output { get; }

    /// <summary>Bytes appended to <see cref="Output"/> and not yet accepted by the kernel.</summary>
    long PendingOutputBytes { get; }

    /// <summary>Asks for <see cref="Output"/> to be sent; needed only for output written outside <see cref="IConnectionProtocol.OnReceived"/>, on the connection's own thread.</summary>
    void Flush();

    /// <summary>
    /// Runs <paramref name="work"/> soon, serialized with this connection's other protocol calls (on its loop thread in the
    /// reactor modes), then sends what it wrote to <see cref="Output"/>. Safe from any thread; this is how an async
    /// continuation gets back to its connection. The work runs even if the connection has closed meanwhile: a protocol
    /// must not touch the connection after <see cref="IConnectionProtocol.OnClosed"/>.
    /// </summary>
    void Post(Action<object?> work, object? state);

    /// <summary>Stops reading and stops offering input until <see cref="ResumeInput"/>; bytes already received stay buffered.</summary>
    void SuspendInput();

    /// <summary>Resumes input: buffered unconsumed bytes are offered again to <see cref="IConnectionProtocol.OnReceived"/> soon (not inside this call), then reading resumes.</summary>
    void ResumeInput();

    /// <summary>
    /// Queues <paramref name="length"/> bytes of <paramref name="file"/>, from <paramref name="offset"/>, to be sent after
    /// what <see cref="Output"/> holds now (with sendfile(2) in the reactor modes: the bytes never enter user space).
    /// The connection owns <paramref name="file"/> from here on and disposes it once sent or when the connection closes.
    /// </summary>
    void SendFile(SafeFileHandle file, long offset, long length);

    /// <summary>
    /// The clock of the loop the connection runs on: what a protocol measures time with (a body's data rate, say) and
    /// what <see cref="SetTimer"/> delays count on. <see cref="LoopClock.System"/> unless the loop was given another
    /// (a test's fake clock).
    /// </summary>
    LoopClock Clock => LoopClock.System;

    /// <summary>Arms the protocol's one timer: <see cref="IConnectionProtocol.OnTimer"/> runs once after <paramref name="dueIn"/>; null disarms it. Re-arming replaces the previous due time.</summary>
    void SetTimer(TimeSpan? dueIn);

    /// <summary>Closes gracefully: stops reading, sends what <see cref="Output"/> holds, then closes.</summary>
    void Close();

    /// <summary>Closes at once, discarding unsent output.</summary>
    void Abort();

    /// <summary>
    /// Hands the connection to <paramref name="protocol"/>: every later call (bytes received, input completed, timer,
    /// closed) goes to it, and bytes the current protocol leaves unconsumed are offered to it. Made from within a call
    /// or turn of the current protocol, which stops hearing of the connection; the new one gets no
    /// <see cref="IConnectionProtocol.OnConnected"/>. An idle protocol parks itself this way (HTTP/1.1 between
    /// requests hands over to a stateless stand-in, so an idle keep-alive connection holds no protocol state), and an
    /// upgrade hands over to the protocol it upgrades to.
    /// </summary>
    void SwitchProtocol(IConnectionProtocol protocol);
}
