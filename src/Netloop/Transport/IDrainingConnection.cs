namespace Netloop.Transport;

/// <summary>
/// A connection that can say the server is stopping: a protocol rented after the drain began (HTTP/1.1's live
/// connection taking over from the idle stand-in) learns it here, so the request it parses is answered with
/// <c>Connection: close</c> rather than promising a keep-alive that the stop will break.
/// </summary>
internal interface IDrainingConnection
{
    /// <summary>True once the server's graceful stop has reached this connection.</summary>
    bool IsDraining { get; }
}
