using System.CommandLine.Parsing;
using Netloop.Protocols.Http1;

namespace Netloop.Cli.Parsing;

/// <summary>Parses <c>--http-protocols</c>: the names of <see cref="HttpProtocols"/>, case-insensitive.</summary>
internal static class HttpProtocolsOption
{
    public static HttpProtocols? Parse(ArgumentResult result)
    {
        string? token = InvalidValue.Token(result);
        if (token is null) return null;
        foreach (var value in new[] { HttpProtocols.Http1, HttpProtocols.Http2, HttpProtocols.Http1AndHttp2 })
        {
            if (string.Equals(value.ToString(), token, StringComparison.OrdinalIgnoreCase)) return value;
        }
        result.AddError($"unknown HTTP protocols '{token}' (expected http1, http2 or http1andhttp2)");
        return null;
    }
}
