using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Netloop.Protocols.Http1;
using Netloop.Server;

namespace Netloop.Hosting;

/// <summary>
/// Everything an HTTP app is served with: server settings, request limits, JSON metadata and handler threads. Read from
/// the <c>Netloop</c> configuration section first (see <c>docs/hosting.md</c> for the keys), so code that changes a
/// value here has the last word.
/// </summary>
public sealed class NetloopOptions
{
    /// <summary>Server settings (address, port, loops, connection limit, timeouts). The port defaults to 8080 here.</summary>
    public ServerOptions Server { get; } = new() { Port = 8080 };

    /// <summary>HTTP request limits and timeouts (Kestrel's defaults).</summary>
    public HttpLimits Limits { get; } = new();

    /// <summary>JSON options for <see cref="Http.HttpResponse.WriteJson{T}(T)"/>: add source-generated contexts to <see cref="JsonSerializerOptions.TypeInfoResolverChain"/>.</summary>
    public JsonSerializerOptions Json { get; } = new() { TypeInfoResolver = JsonTypeInfoResolver.Combine() };

    /// <summary>
    /// Threads for handlers that block (0, the default: none, handlers run on the event loops). With N &gt; 0 every handler
    /// runs on one of N worker threads, with its request body read in full first and its response buffered in full, so a
    /// blocking handler stalls no other connection. Negative values are rejected when the app starts.
    /// </summary>
    public int HandlerThreads { get; set; }
}
