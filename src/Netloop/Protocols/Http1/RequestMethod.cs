namespace Netloop.Protocols.Http1;

/// <summary>
/// The request method, recognised case-sensitively (RFC 9110 §9.1: method names are case-sensitive).
/// Any other valid token is <see cref="Custom"/>; its bytes are at <see cref="RequestHeadParser.MethodRange"/>.
/// </summary>
internal enum RequestMethod
{
    /// <summary>A method token other than the ones below.</summary>
    Custom,
    /// <summary>GET.</summary>
    Get,
    /// <summary>HEAD.</summary>
    Head,
    /// <summary>POST.</summary>
    Post,
    /// <summary>PUT.</summary>
    Put,
    /// <summary>DELETE.</summary>
    Delete,
    /// <summary>OPTIONS, the only method allowed the asterisk-form target <c>*</c>.</summary>
    Options,
    /// <summary>PATCH (RFC 5789).</summary>
    Patch,
    /// <summary>TRACE.</summary>
    Trace,
    /// <summary>CONNECT, which takes the authority-form target <c>host:port</c> and only that.</summary>
    Connect,
}
