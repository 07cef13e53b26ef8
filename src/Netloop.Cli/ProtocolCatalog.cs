using System.CommandLine.Parsing;
using Microsoft.Extensions.Logging;
using Netloop.Cli.Demo;
using Netloop.Protocols;
using Netloop.Protocols.Echo;
using Netloop.Protocols.Http1;
using Netloop.Transport;

namespace Netloop.Cli;

/// <summary>What a protocol may need from the command line to be built.</summary>
internal sealed record ProtocolSettings(string Root, int HandlerThreads, ILoggerFactory Loggers, TimeSpan HandlerDelay = default, DemoMiddleware Middleware = DemoMiddleware.None, HttpProtocols HttpVersions = HttpProtocols.Http1AndHttp2)
{
    /// <summary>--request-headers-timeout: null keeps <see cref="HttpLimits.RequestHeadersTimeout"/>'s default.</summary>
    public TimeSpan? RequestHeadersTimeout { get; init; }

    /// <summary>--min-request-body-data-rate in bytes/s: null keeps <see cref="HttpLimits.MinRequestBodyDataRate"/>'s default.</summary>
    public double? MinRequestBodyDataRate { get; init; }
}

/// <summary>A protocol <c>netloop serve --protocol</c> can serve, by name.</summary>
internal sealed record ProtocolChoice(string Name, string Description, Func<ProtocolSettings, IConnectionProtocolFactory> Create);

/// <summary>The protocols <c>netloop serve --protocol</c> can serve. A new protocol is one more entry here.</summary>
internal static class ProtocolCatalog
{
    /// <summary>Every protocol, in the order help lists them; the first is the default.</summary>
    public static IReadOnlyList<ProtocolChoice> All { get; } =
    [
        new("echo", "every byte back (RFC 862)", settings => EchoProtocol.WithCloseDelay(settings.HandlerDelay)),
        new("http", "HTTP/1.1 and HTTP/2 (h2c) demo app: /plaintext, /json, /echo (POST, PUT), /static/*, /health", DemoApp.Create),
    ];

    /// <summary>The protocol served when <c>--protocol</c> is not given.</summary>
    public static ProtocolChoice Default => All[0];

    /// <summary>The names, comma-separated, for help and error messages.</summary>
    public static string List { get; } = string.Join(", ", All.Select(p => p.Name));

    /// <summary>A custom parser for <c>--protocol</c>; an unknown name becomes a one-line parse error listing the valid ones.</summary>
    public static ProtocolChoice? Parse(ArgumentResult result)
    {
        string? token = Parsing.InvalidValue.Token(result);
        if (token is null) return null;
        foreach (var protocol in All)
        {
            if (string.Equals(protocol.Name, token, StringComparison.OrdinalIgnoreCase)) return protocol;
        }
        result.AddError($"unknown protocol '{token}' (expected {List})");
        return null;
    }
}
