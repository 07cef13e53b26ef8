namespace Netloop.Bench.Cases;

/// <summary>What a case speaks to the server: the echo protocol (RFC 862), HTTP/1.1 or HTTP/2 over cleartext.</summary>
internal enum LoadProtocol
{
    /// <summary>Echo: the load sends a message and waits for all of it back; Netloop's modes and the C limit (limit-echo) speak it.</summary>
    Echo,

    /// <summary>HTTP/1.1 GETs against the endpoints every server under test serves (<c>/plaintext</c>, <c>/json</c>).</summary>
    Http,

    /// <summary>
    /// HTTP/2 over cleartext TCP by prior knowledge (h2c), against the same endpoints: throughput driven by h2load, the idle
    /// case by <c>netloop load --target h2c://…</c>. Netloop's modes (HTTP/1.1 and HTTP/2 on one port), Kestrel and nginx
    /// (each on an HTTP/2-only cleartext endpoint) speak it; the C limit does not.
    /// </summary>
    Http2,
}
