using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netloop.Http;
using Netloop.Transport;

namespace Netloop.Protocols.Http1;

/// <summary>
/// The <c>http</c> protocol, serving <see cref="RequestHandler"/>: HTTP/1.1 and HTTP/2 decided per connection (the HTTP/2
/// client preface, or an <c>Upgrade: h2c</c> request), as <see cref="HttpLimits.Protocols"/> allows.
/// </summary>
public sealed class HttpProtocolFactory : IConnectionProtocolFactory, IAlpnProtocolFactory
{
    /// <summary>Creates the protocol for <paramref name="application"/>.</summary>
    public HttpProtocolFactory(RequestHandler application, HttpLimits? limits = null, JsonSerializerOptions? json = null, ILogger? logger = null)
    {
        Application = application ?? throw new ArgumentNullException(nameof(application));
        Limits = limits ?? new HttpLimits();
        Json = json ?? new JsonSerializerOptions { TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine() };
        Logger = logger ?? NullLogger.Instance;
        FloodLog = new RateLimitedLog(Logger, LogLevel.Warning, "HTTP/2 defence");
        Fresh = new Http1IdleProtocol(this, afterFirstRequest: false);
        BetweenRequests = new Http1IdleProtocol(this, afterFirstRequest: true);
    }

    /// <inheritdoc/>
    public string Name => "http";

    /// <summary>The application every request goes to.</summary>
    public RequestHandler Application { get; }

    /// <summary>Request limits and timeouts.</summary>
    public HttpLimits Limits { get; }

    /// <summary>JSON options (with source-generated metadata) for <see cref="HttpResponse.WriteJson{T}(T)"/>.</summary>
    public JsonSerializerOptions Json { get; }

    internal ILogger Logger { get; }

    /// <summary>
    /// The warning of an HTTP/2 defence (a flood, the per-IP rate limit) that ends a connection: at most one line a
    /// second over all connections, with a count of the rest, so an attack of many connections cannot flood the log.
    /// </summary>
    internal RateLimitedLog FloodLog { get; }

    /// <summary>The stand-in of a connection that has sent nothing yet.</summary>
    internal Http1IdleProtocol Fresh { get; }

    /// <summary>The stand-in of a keep-alive connection between requests.</summary>
    internal Http1IdleProtocol BetweenRequests { get; }

    /// <summary>Connections may speak HTTP/1.1 (<see cref="HttpLimits.Protocols"/>).</summary>
    internal bool ServesHttp1 => (Limits.Protocols & HttpProtocols.Http1) != 0;

    /// <summary>Connections may speak HTTP/2.</summary>
    internal bool ServesHttp2 => (Limits.Protocols & HttpProtocols.Http2) != 0;

    /// <summary>What HTTP/2's defences did, over every connection of this protocol.</summary>
    internal Http2.Http2Counters Http2Counters { get; } = new();

    /// <summary>Logs <c>HTTP/2: connections=… streams=… …</c> (see <see cref="Http2.Http2Counters.Summary"/>) when any HTTP/2 connection was served.</summary>
    internal void LogHttp2Summary(ILogger logger)
    {
        if (Interlocked.Read(ref Http2Counters.Connections) == 0) return;
        logger.LogInformation("HTTP/2: {Summary}", Http2Counters.Summary());
    }

    /// <summary>
    /// The protocol for a connection whose TLS handshake chose <paramref name="alpn"/> (RFC 7301): <c>h2</c> starts
    /// HTTP/2 at once (the client preface follows), anything else — or no ALPN — is HTTP/1.1.
    /// </summary>
    IConnectionProtocol IAlpnProtocolFactory.CreateForAlpn(IConnection connection, ReadOnlySpan<byte> alpn) => CreateForAlpn(connection, alpn);

    /// <summary>ALPN names: <c>h2</c> (when HTTP/2 is on) before <c>http/1.1</c> (when HTTP/1.1 is on).</summary>
    IReadOnlyList<string> IAlpnProtocolFactory.ApplicationProtocols =>
        (ServesHttp2, ServesHttp1) switch
        {
            (true, true) => ["h2", "http/1.1"],
            (true, false) => ["h2"],
            _ => ["http/1.1"],
        };

    ReadOnlyMemory<byte> IAlpnProtocolFactory.PlaintextReply => s_plaintextReply;

    private static readonly byte[] s_plaintextReply = System.Text.Encoding.ASCII.GetBytes(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 65\r\nConnection: close\r\n\r\n" +
        "400 Bad Request: a plain HTTP request was sent to the HTTPS port\n");

    internal IConnectionProtocol CreateForAlpn(IConnection connection, ReadOnlySpan<byte> alpn)
    {
        if (alpn.SequenceEqual("h2"u8) && ServesHttp2)
        {
            var http2 = new Http2.Http2Connection(this);
            http2.Start(connection);
            return http2;
        }
        return Fresh;
    }

    /// <inheritdoc/>
    /// <remarks>Every connection starts on the shared stand-in: the live state machine is rented when its first byte arrives.</remarks>
    public IConnectionProtocol Create() => Fresh;
}
