namespace Netloop.Protocols.Http1;

/// <summary>The HTTP versions an <see cref="HttpProtocolFactory"/> serves (the names Kestrel's <c>HttpProtocols</c> uses).</summary>
[Flags]
public enum HttpProtocols
{
    /// <summary>HTTP/1.1 (and 1.0) only: an HTTP/2 client preface gets GOAWAY(HTTP_1_1_REQUIRED), an <c>Upgrade: h2c</c> is ignored.</summary>
    Http1 = 1,

    /// <summary>
    /// HTTP/2 only: a connection must open with the client preface (prior knowledge, or ALPN <c>h2</c> under TLS);
    /// an HTTP/1.1 request gets <c>505 HTTP Version Not Supported</c> and the connection closes.
    /// </summary>
    Http2 = 2,

    /// <summary>Both, decided per connection: the client preface starts HTTP/2, <c>Upgrade: h2c</c> switches to it, anything else is HTTP/1.1. The default.</summary>
    Http1AndHttp2 = Http1 | Http2,
}
