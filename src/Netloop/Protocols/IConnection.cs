using System.Buffers;
using System.Net;

namespace Netloop.Protocols;

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

    /// <summary>Closes gracefully: stops reading, sends what <see cref="Output"/> holds, then closes.</summary>
    void Close();

    /// <summary>Closes at once, discarding unsent output.</summary>
    void Abort();
}
