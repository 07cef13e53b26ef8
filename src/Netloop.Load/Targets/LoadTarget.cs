using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Netloop.Load.Targets;

/// <summary>What a <c>netloop load</c> target speaks.</summary>
public enum TargetProtocol
{
    /// <summary>HTTP/1.1 requests (<c>http://</c>).</summary>
    Http,
    /// <summary>Echo (RFC 862): messages sent and verified byte for byte on the way back (<c>tcp://</c>).</summary>
    Echo,
    /// <summary>
    /// HTTP/2 over cleartext TCP by prior knowledge (<c>h2c://</c>), for <c>--idle</c> only: each connection sends the
    /// client preface and SETTINGS, acknowledges the server's SETTINGS, waits for its own to be acknowledged, then holds.
    /// Load over HTTP/2 is h2load's job (see <c>netloop bench</c>).
    /// </summary>
    Http2,
}

/// <summary>
/// A parsed <c>--target</c>: <c>http://host:port/path?query</c>, <c>https://host:port/path?query</c>, <c>tcp://host:port</c>,
/// <c>h2c://host:port</c> or <c>h2s://host:port</c> (HTTP/2 over TLS, the idle mode of <c>h2c://</c>). Hosts are IP literals or
/// <c>localhost</c>; nothing is looked up in DNS, so a run never starts by waiting on a resolver.
/// </summary>
public sealed record LoadTarget
{
    /// <summary>The target as typed.</summary>
    public required string Text { get; init; }

    /// <summary>HTTP, echo or HTTP/2.</summary>
    public required TargetProtocol Protocol { get; init; }

    /// <summary>Where connections go.</summary>
    public required IPEndPoint EndPoint { get; init; }

    /// <summary>Whether connections speak TLS (<c>https://</c>, <c>h2s://</c>).</summary>
    public bool IsTls { get; init; }

    /// <summary>The host as typed, without brackets (<c>localhost</c>, <c>127.0.0.1</c>, <c>::1</c>): the TLS server name and the name the certificate must match.</summary>
    public string Host { get; init; } = "";

    /// <summary>The <c>Host</c> header value for HTTP (<c>127.0.0.1:8080</c>, <c>[::1]:8080</c>; the port left out when the scheme's default).</summary>
    public required string Authority { get; init; }

    /// <summary>The HTTP request target, origin form (<c>/plaintext</c>, <c>/search?q=1</c>); <c>/</c> for echo.</summary>
    public required string PathAndQuery { get; init; }

    /// <summary><c>http</c>, <c>https</c>, <c>echo</c>, <c>h2c</c> or <c>h2s</c>, as <see cref="Results.LoadResult.Protocol"/> spells it.</summary>
    public string ProtocolName => Protocol switch
    {
        TargetProtocol.Http => IsTls ? "https" : "http",
        TargetProtocol.Http2 => IsTls ? "h2s" : "h2c",
        _ => "echo",
    };

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> with a one-line reason when it is not a usable target.</summary>
    public static LoadTarget Parse(string text) =>
        TryParse(text, out var target, out string? error) ? target : throw new FormatException(error);

    /// <summary>Parses <paramref name="text"/>; false with a one-line <paramref name="error"/> when it is not a usable target.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out LoadTarget? target, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        target = null;
        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            error = $"'{text}' has no scheme (expected http://host:port/path, https://host:port/path, tcp://host:port, h2c://host:port or h2s://host:port)";
            return false;
        }
        string scheme = text[..schemeEnd].ToLowerInvariant();
        TargetProtocol protocol;
        bool tls = scheme is "https" or "h2s";
        switch (scheme)
        {
            case "http" or "https":
                protocol = TargetProtocol.Http;
                break;
            case "tcp":
                protocol = TargetProtocol.Echo;
                break;
            case "h2c" or "h2s":
                protocol = TargetProtocol.Http2;
                break;
            default:
                error = $"scheme '{scheme}' is not supported (expected http://, https://, tcp://, h2c:// or h2s://)";
                return false;
        }
        int defaultPort = tls ? 443 : 80;

        string rest = text[(schemeEnd + 3)..];
        int pathStart = rest.IndexOfAny(['/', '?', '#']);
        string authority = pathStart < 0 ? rest : rest[..pathStart];
        string pathAndQuery = pathStart < 0 ? "/" : rest[pathStart..];
        if (authority.Contains('@', StringComparison.Ordinal))
        {
            error = $"'{text}': user information in the target is not supported";
            return false;
        }
        int fragment = pathAndQuery.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0) pathAndQuery = pathAndQuery[..fragment];
        if (pathAndQuery.Length == 0 || pathAndQuery[0] == '?') pathAndQuery = "/" + pathAndQuery;
        if (protocol != TargetProtocol.Http && pathAndQuery != "/")
        {
            error = $"'{text}': a {scheme}:// target has no path (expected {scheme}://host:port)";
            return false;
        }
        foreach (char c in pathAndQuery)
        {
            // What may go on the request line as is (RFC 3986 characters; '%' for escapes already made by the user).
            if (c <= ' ' || c >= 0x7f || c is '"' or '<' or '>' or '\\' or '^' or '`' or '{' or '|' or '}')
            {
                error = $"'{text}': the path has a character that must be percent-encoded ('{c}')";
                return false;
            }
        }

        if (!TrySplitAuthority(authority, out string host, out string? portText, out error)) return false;
        int port;
        if (portText is null)
        {
            if (protocol == TargetProtocol.Echo)
            {
                error = $"'{text}': a tcp:// target needs a port (tcp://host:port)";
                return false;
            }
            port = defaultPort;
        }
        else if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            error = $"'{text}': port '{portText}' is not a number from 1 to 65535";
            return false;
        }

        IPAddress address;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!TryParseLiteral(host, out address!))
        {
            error = $"'{text}': host '{host}' is not an IP address or localhost (names are not looked up)";
            return false;
        }

        string hostForHeader = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        target = new LoadTarget
        {
            Text = text,
            Protocol = protocol,
            EndPoint = new IPEndPoint(address, port),
            IsTls = tls,
            Host = host,
            Authority = port == defaultPort ? hostForHeader : $"{hostForHeader}:{port.ToString(CultureInfo.InvariantCulture)}",
            PathAndQuery = protocol == TargetProtocol.Http ? pathAndQuery : "/",
        };
        error = null;
        return true;
    }

    private static bool TrySplitAuthority(string authority, out string host, out string? port, [NotNullWhen(false)] out string? error)
    {
        port = null;
        error = null;
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                host = "";
                error = $"'{authority}': an IPv6 address needs its closing ']'";
                return false;
            }
            host = authority[1..close];
            string after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    error = $"'{authority}': expected ':port' after ']'";
                    return false;
                }
                port = after[1..];
            }
            if (!host.Contains(':', StringComparison.Ordinal))
            {
                error = $"'{authority}': only IPv6 addresses go in brackets";
                return false;
            }
            return true;
        }
        int colon = authority.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0 && authority.IndexOf(':', colon + 1) >= 0)
        {
            host = authority;
            error = $"'{authority}': an IPv6 address goes in brackets, as in http://[::1]:8080/";
            return false;
        }
        host = colon < 0 ? authority : authority[..colon];
        if (colon >= 0) port = authority[(colon + 1)..];
        if (host.Length == 0)
        {
            error = "the target has no host";
            return false;
        }
        return true;
    }

    /// <summary>An IPv4 dotted quad or an IPv6 literal; not the shorthand forms IPAddress also accepts (<c>1</c> as 0.0.0.1).</summary>
    internal static bool TryParseLiteral(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Length == 0) return false;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }
        if (text.Count(c => c == '.') != 3) return false;
        return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetwork;
    }
}
