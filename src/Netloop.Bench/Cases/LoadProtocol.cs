namespace Netloop.Bench.Cases;

/// <summary>What a case speaks to the server: the echo protocol (RFC 862) or HTTP/1.1.</summary>
internal enum LoadProtocol
{
    /// <summary>Echo: the load sends a message and waits for all of it back; Netloop's modes and the C limit (limit-echo) speak it.</summary>
    Echo,

    /// <summary>HTTP/1.1 GETs against the endpoints every server under test serves (<c>/plaintext</c>, <c>/json</c>).</summary>
    Http,
}
