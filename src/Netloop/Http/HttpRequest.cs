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

    /// <summary>The request-target as received (path and query).</summary>
    public ReadOnlySpan<byte> RawTarget => _head.Slice(_head.TargetRange);

    /// <summary>The query string without the '?', still encoded; empty when there is none.</summary>
    public string QueryString => _queryString ??= Encoding.ASCII.GetString(_head.Slice(_head.QueryRange));

    /// <summary>The query parameters, parsed on first use.</summary>
    public QueryCollection Query => _query ??= QueryCollection.Parse(QueryString);

    /// <summary><c>HTTP/1.1</c> or <c>HTTP/1.0</c>.</summary>
    public string Protocol => _head.IsHttp11 ? "HTTP/1.1" : "HTTP/1.0";

    /// <summary>The header fields.</summary>
    public RequestHeaders Headers { get; }

    /// <summary>The declared body length, or null for a chunked body or none.</summary>
    public long? ContentLength => _head.ContentLength >= 0 ? _head.ContentLength : null;

    /// <summary>The body; read it with ReadAsync (see <see cref="RequestBodyStream"/>).</summary>
    public RequestBodyStream Body { get; } = new();

    /// <summary>The client's address, looked up on first use (getpeername), not per request.</summary>
    public IPEndPoint? RemoteEndPoint => Connection?.RemoteEndPoint;

    internal IConnection? Connection { get; set; }

    internal RequestHead Head => _head;

    internal void Reset()
    {
        _path = null;
        _queryString = null;
        _query = null;
    }
}
