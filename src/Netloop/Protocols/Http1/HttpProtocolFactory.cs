using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netloop.Http;
using Netloop.Transport;

namespace Netloop.Protocols.Http1;

/// <summary>The <c>http</c> protocol: HTTP/1.1 on every connection (an HTTP/2 client preface is recognised and refused cleanly), serving <see cref="RequestHandler"/>.</summary>
public sealed class HttpProtocolFactory : IConnectionProtocolFactory
{
    /// <summary>Creates the protocol for <paramref name="application"/>.</summary>
    public HttpProtocolFactory(RequestHandler application, HttpLimits? limits = null, JsonSerializerOptions? json = null, ILogger? logger = null)
    {
        Application = application ?? throw new ArgumentNullException(nameof(application));
        Limits = limits ?? new HttpLimits();
        Json = json ?? new JsonSerializerOptions { TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine() };
        Logger = logger ?? NullLogger.Instance;
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

    /// <summary>The stand-in of a connection that has sent nothing yet.</summary>
    internal Http1IdleProtocol Fresh { get; }

    /// <summary>The stand-in of a keep-alive connection between requests.</summary>
    internal Http1IdleProtocol BetweenRequests { get; }

    /// <inheritdoc/>
    /// <remarks>Every connection starts on the shared stand-in: the live state machine is rented when its first byte arrives.</remarks>
    public IConnectionProtocol Create() => Fresh;
}
