using System.Net;
using System.Text;
using Netloop.Transport;

namespace Netloop.Http;

/// <summary>The request a handler serves. Strings are made on first access; the raw bytes are there without allocating.</summary>
public sealed class HttpRequest
{
    private readonly RequestHead _head;
    private string? _path;
    private string? _queryString;
    private QueryCollection? _query;
    private RequestCookieCollection? _cookies;
    private bool _cookiesLoaded;

    internal HttpRequest(RequestHead head)
    {
        _head = head;
        Headers = new RequestHeaders(head);
    }

    /// <summary>The method, e.g. <c>GET</c>.</summary>
    public string Method => _head.Method;

    /// <summary>The path, percent-decoded (UTF-8), e.g. <c>/users/42</c>.</summary>
    public string Path => _path ??= Routing.PercentEncoding.DecodeToString(RawPath);

    /// <summary>The path as received, still percent-encoded.</summary>
    public ReadOnlySpan<byte> RawPath => _head.Slice(_head.PathRange);

    /// <summary>The request-target as received (path and query; or <c>*</c>, or <c>host:port</c>, see <see cref="TargetForm"/>).</summary>
    public ReadOnlySpan<byte> RawTarget => _head.Slice(_head.TargetRange);

    /// <summary>
    /// The form of the request-target (RFC 9112 §3.2): <c>Origin</c> (<c>/path?query</c>) for nearly every request;
    /// <c>Absolute</c> (<c>http://host/path</c>, <see cref="Path"/> is its path part); <c>Authority</c>
    /// (<c>host:port</c>, CONNECT only; <see cref="Path"/> is empty); <c>Asterisk</c> (<c>*</c>, a server-wide OPTIONS).
    /// </summary>
    public RequestTargetForm TargetForm => _head.TargetForm;

    /// <summary>The query string without the '?', still encoded; empty when there is none.</summary>
    public string QueryString => _queryString ??= Encoding.ASCII.GetString(_head.Slice(_head.QueryRange));

    /// <summary>The query parameters, parsed on first use.</summary>
    public QueryCollection Query => _query ??= QueryCollection.Parse(QueryString);

    /// <summary><c>HTTP/2</c>, <c>HTTP/1.1</c> or <c>HTTP/1.0</c>.</summary>
    public string Protocol => _head.IsHttp2 ? "HTTP/2" : _head.IsHttp11 ? "HTTP/1.1" : "HTTP/1.0";

    /// <summary>The header fields.</summary>
    public RequestHeaders Headers { get; }

    /// <summary>The request's cookies, parsed from its Cookie fields on first use (leniently; never throws, see <see cref="RequestCookieCollection"/>).</summary>
    public RequestCookieCollection Cookies
    {
        get
        {
            var cookies = _cookies ??= new RequestCookieCollection();
            if (!_cookiesLoaded)
            {
                cookies.Load(Headers);
                _cookiesLoaded = true;
            }
            return cookies;
        }
    }

    /// <summary>The declared body length, or null for a chunked body or none.</summary>
    public long? ContentLength => _head.ContentLength >= 0 ? _head.ContentLength : null;

    /// <summary>The body; read it with ReadAsync (see <see cref="RequestBodyStream"/>).</summary>
    public RequestBodyStream Body { get; } = new();

    /// <summary>The client's address, looked up on first use (getpeername), not per request.</summary>
    public IPEndPoint? RemoteEndPoint => Connection?.RemoteEndPoint;

    /// <summary>True when the request came over TLS (HTTPS).</summary>
    public bool IsHttps => (Connection as ITlsConnection)?.Tls is not null;

    /// <summary><c>https</c> or <c>http</c>, by the connection the request came on.</summary>
    public string Scheme => IsHttps ? "https" : "http";

    internal IConnection? Connection { get; set; }

    internal RequestHead Head => _head;

    internal void Reset()
    {
        _path = null;
        _queryString = null;
        _query = null;
        _cookiesLoaded = false;
    }
}
