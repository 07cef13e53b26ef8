namespace Netloop.Protocols.Http1;

/// <summary>The HTTP version of a request's request line; HTTP/1.x requests carry no other.</summary>
internal enum HttpVersion
{
    /// <summary>HTTP/1.0: the connection closes after the response unless the request asked for keep-alive.</summary>
    Http10,
    /// <summary>HTTP/1.1: the connection stays open unless the request said <c>Connection: close</c>.</summary>
    Http11,
}
