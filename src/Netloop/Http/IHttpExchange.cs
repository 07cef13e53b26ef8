using Microsoft.Win32.SafeHandles;

namespace Netloop.Http;

/// <summary>
/// What a request's objects ask of the protocol carrying them (HTTP/1.1 today, HTTP/2 later): send the response head
/// early, stream body bytes, hand a file to the transport, and learn that the application wants the request body.
/// </summary>
internal interface IHttpExchange
{
    /// <summary>Runs continuations on the connection's own thread (its event loop in the reactor modes).</summary>
    SynchronizationContext LoopContext { get; }

    /// <summary>Writes the response head now (the length is unknown: chunked, or close-delimited for HTTP/1.0) and sends what the body holds so far.</summary>
    void StartStreaming();

    /// <summary>Sends body bytes of a response whose head is out.</summary>
    void WriteStreamed(ReadOnlySpan<byte> data);

    /// <summary>Writes the head with the file's length and queues the file range; the exchange owns <paramref name="file"/>.</summary>
    void SendFile(SafeFileHandle file, long offset, long length);

    /// <summary>Whether the response can carry trailer fields (see <see cref="HttpResponse.SupportsTrailers"/>).</summary>
    bool SupportsTrailers { get; }

    /// <summary>The response has been sent in full (or its stream ended): nothing, trailers included, can be added.</summary>
    bool ResponseCompleted { get; }

    /// <summary>The application started reading the request body (time to send 100 Continue, if the client asked).</summary>
    void OnBodyRequested();

    /// <summary>The application consumed buffered body bytes; the protocol may read more.</summary>
    void OnBodyConsumed();
}
