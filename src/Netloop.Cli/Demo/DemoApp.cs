using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Netloop.Hosting;
using Netloop.Http;
using Netloop.Protocols;
using Netloop.Server;
using Netloop.Transport;

namespace Netloop.Cli.Demo;

/// <summary>
/// The app behind <c>netloop serve --protocol http</c>: the TechEmpower-style endpoints the benchmarks hit, a body
/// echo, static files from <c>--root</c>, and a health check.
/// </summary>
internal static class DemoApp
{
    public static IConnectionProtocolFactory Create(ProtocolSettings settings)
    {
        // Not NetloopServer.CreateBuilder: `netloop serve` parses its own options, so it reads no configuration sources
        // and builds no DI container (both would only add to the start-up time the bench measures).
        var options = new NetloopOptions { HandlerThreads = settings.HandlerThreads };
        options.Limits.Protocols = settings.HttpVersions;
        if (settings.RequestHeadersTimeout is { } headersTimeout) options.Limits.RequestHeadersTimeout = headersTimeout;
        if (settings.MinRequestBodyDataRate is { } bodyRate) options.Limits.MinRequestBodyDataRate = bodyRate;
        options.Json.TypeInfoResolverChain.Insert(0, DemoJsonContext.Default);
        var app = new NetloopApp(options, settings.Loggers, EmptyServiceProvider.Instance, ownedServices: null, configurationError: null);
        DemoMiddlewares.Apply(app, settings.Middleware);
        app.MapGet("/plaintext", context => context.Response.WriteText("Hello, World!"));
        app.MapGet("/json", context => context.Response.WriteJson(new Message("Hello, World!"), DemoJsonContext.Default.Message));
        app.Map(["POST", "PUT"], "/echo", async context =>
        {
            var type = context.Request.Headers["Content-Type"];
            if (type is not null) context.Response.ContentType = type;
            await context.Request.Body.CopyToAsync(context.Response.Body).ConfigureAwait(true);
        });
        app.MapGet("/health", context => context.Response.WriteText("ok"));
        // What the connection negotiated, one line: how TLS tests see ALPN, SNI and the client certificate from a handler.
        app.MapGet("/connection", context =>
        {
            var connection = context.Connection;
            context.Response.WriteText(
                $"scheme={context.Request.Scheme} protocol={context.Request.Protocol} tls={connection.TlsProtocol ?? "none"} " +
                $"sni={connection.TlsServerName ?? "none"} client={connection.ClientCertificate?.Subject ?? "none"}\n");
        });
        app.MapStaticFiles("/static", settings.Root);
        return app.Protocol;
    }
}

/// <summary>The body of <c>/json</c>.</summary>
internal sealed record Message(string message);

/// <summary>Source-generated JSON metadata for the demo app (no reflection, AOT-safe).</summary>
[JsonSerializable(typeof(Message))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;
