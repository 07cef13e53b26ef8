using System.Collections.Frozen;

namespace Netloop.Http;

/// <summary>
/// Which fields a response may carry as trailers. RFC 9110 §6.5.1: a trailer must not be a field the recipient needs
/// before the content — message framing, routing, request modifiers, authentication, response control, or what says
/// how to process the content — so those are refused, as are the connection-specific fields HTTP/2 forbids anywhere.
/// </summary>
internal static class TrailerFieldNames
{
    private static readonly FrozenSet<string> s_forbidden = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
    [
        // Framing and connection management.
        "content-length", "transfer-encoding", "te", "trailer", "connection", "keep-alive", "proxy-connection", "upgrade",
        // Routing and request modifiers.
        "host", "expect", "max-forwards", "range", "pragma",
        // Authentication and cookies.
        "authorization", "proxy-authorization", "www-authenticate", "proxy-authenticate", "cookie", "set-cookie",
        // Response control.
        "age", "cache-control", "expires", "date", "location", "retry-after", "vary", "warning",
        // How to process the content.
        "content-type", "content-encoding", "content-range",
    ]);

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> and <paramref name="value"/> may be sent as a trailer field.</summary>
    public static void Validate(string name, string value)
    {
        if (!HttpCharacters.IsToken(name)) throw new ArgumentException($"'{name}' is not a valid field name", nameof(name));
        if (s_forbidden.Contains(name)) throw new ArgumentException($"{name} may not be sent as a trailer (RFC 9110 §6.5.1)", nameof(name));
        if (!HttpCharacters.IsSendableFieldValue(value)) throw new ArgumentException($"the value of {name} has a character a field cannot carry", nameof(value));
    }
}
