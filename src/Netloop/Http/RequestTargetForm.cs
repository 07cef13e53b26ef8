namespace Netloop.Http;

/// <summary>The four forms of request-target (RFC 9112 §3.2).</summary>
public enum RequestTargetForm
{
    /// <summary><c>/path?query</c>, the usual form.</summary>
    Origin,
    /// <summary><c>http://host/path?query</c>, sent to proxies; a server must accept it too (RFC 9112 §3.2.2).</summary>
    Absolute,
    /// <summary><c>host:port</c>, for CONNECT only.</summary>
    Authority,
    /// <summary><c>*</c>, for a server-wide OPTIONS only.</summary>
    Asterisk,
}
