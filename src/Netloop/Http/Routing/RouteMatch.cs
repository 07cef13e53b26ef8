namespace Netloop.Http.Routing;

/// <summary>The result of a route lookup. A small struct: producing it allocates nothing.</summary>
/// <typeparam name="THandler">The router's handler type.</typeparam>
internal readonly struct RouteMatch<THandler>
{
    private readonly AllowHeader? _allow;
    private readonly RouteValues? _values;

    internal RouteMatch(RouteMatchKind kind, THandler? handler, RouteValues values, string? template, AllowHeader? allow)
    {
        Kind = kind;
        Handler = handler;
        _values = values;
        Template = template;
        _allow = allow;
    }

    /// <summary>Found, NotFound or MethodNotAllowed.</summary>
    public RouteMatchKind Kind { get; }

    /// <summary>True when <see cref="Kind"/> is <see cref="RouteMatchKind.Found"/>.</summary>
    public bool IsFound => Kind == RouteMatchKind.Found;

    /// <summary>The status code the kind implies: 200, 404 or 405.</summary>
    public int StatusCode => Kind switch
    {
        RouteMatchKind.Found => 200,
        RouteMatchKind.MethodNotAllowed => 405,
        _ => 404,
    };

    /// <summary>The matched handler; default unless <see cref="IsFound"/>.</summary>
    public THandler? Handler { get; }

    /// <summary>The route values; <see cref="RouteValues.Empty"/> (or the caller's cleared instance) when there are none.</summary>
    public RouteValues Values => _values ?? RouteValues.Empty;

    /// <summary>The template of the matched route as it was registered (for logs and metrics); null unless found.</summary>
    public string? Template { get; }

    /// <summary>
    /// For <see cref="RouteMatchKind.MethodNotAllowed"/>: the <c>Allow</c> field value, e.g. <c>GET, HEAD, POST</c>:
    /// every method of every route that matches the path, HEAD included where GET is. Precomputed; null otherwise.
    /// </summary>
    public string? Allow => _allow?.Value;

    /// <summary>The <see cref="Allow"/> value as ASCII bytes, ready to copy into a response; empty when none.</summary>
    public ReadOnlySpan<byte> AllowBytes => _allow is null ? default : _allow.Utf8;
}
