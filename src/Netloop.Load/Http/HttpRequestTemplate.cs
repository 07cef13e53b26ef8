using System.Diagnostics.CodeAnalysis;
using System.Text;
using Netloop.Http;
using Netloop.Load.Targets;

namespace Netloop.Load.Http;

/// <summary>
/// The one request a run sends, encoded once: the keep-alive form and the form that ends a connection
/// (<c>Connection: close</c>, for the last request of each connection under <c>--requests-per-connection</c>).
/// Sending is then a copy of these bytes.
/// </summary>
internal sealed class HttpRequestTemplate
{
    private static readonly string[] s_bodyMethods = ["POST", "PUT", "PATCH"];

    /// <summary>Encodes <c>METHOD path HTTP/1.1</c>, Host, the extra <paramref name="headers"/> (<c>Name: value</c>), and an empty body.</summary>
    public HttpRequestTemplate(LoadTarget target, string method, IReadOnlyList<string> headers)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(headers);
        if (!HttpCharacters.IsToken(method)) throw new ArgumentException($"--method: '{method}' is not an HTTP method (a token such as GET or POST)");
        IsHead = method == "HEAD";

        var text = new StringBuilder();
        text.Append(method).Append(' ').Append(target.PathAndQuery).Append(" HTTP/1.1\r\n");
        bool hasHost = false, hasLength = false;
        var fields = new StringBuilder();
        foreach (string header in headers)
        {
            if (!TryParseHeader(header, out string? name, out string? value, out string? error)) throw new ArgumentException($"--header: {error}");
            hasHost |= name.Equals("Host", StringComparison.OrdinalIgnoreCase);
            hasLength |= name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase);
            fields.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        if (!hasHost) text.Append("Host: ").Append(target.Authority).Append("\r\n");
        text.Append(fields);
        // A request with a body method and no framing header would leave the server guessing (RFC 9110 §8.6).
        if (!hasLength && Array.IndexOf(s_bodyMethods, method) >= 0) text.Append("Content-Length: 0\r\n");
        string head = text.ToString();
        KeepAlive = Encoding.Latin1.GetBytes(head + "\r\n");
        Close = Encoding.Latin1.GetBytes(head + "Connection: close\r\n\r\n");
    }

    /// <summary>The request as sent on a connection that stays open.</summary>
    public byte[] KeepAlive { get; }

    /// <summary>The same request with <c>Connection: close</c>: the last one on its connection.</summary>
    public byte[] Close { get; }

    /// <summary>The method is HEAD: responses carry no body whatever their headers say.</summary>
    public bool IsHead { get; }

    /// <summary>Splits <c>Name: value</c>; false with a one-line <paramref name="error"/> for a name that is not a token or a value with CR, LF or NUL.</summary>
    public static bool TryParseHeader(string header, [NotNullWhen(true)] out string? name, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(header);
        name = null;
        value = null;
        int colon = header.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !HttpCharacters.IsToken(header.AsSpan(0, colon)))
        {
            error = $"'{header}' is not a header (expected \"Name: value\")";
            return false;
        }
        string v = header[(colon + 1)..].Trim(' ', '\t');
        foreach (char c in v)
        {
            if (c is '\r' or '\n' or '\0' || c > 0xff)
            {
                error = $"header '{header[..colon]}' has a character a header value cannot hold";
                return false;
            }
        }
        name = header[..colon];
        value = v;
        error = null;
        return true;
    }
}
