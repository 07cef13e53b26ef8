namespace Netloop.Http.Routing;

/// <summary>The outcome of <see cref="Router{THandler}.Match(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.</summary>
internal enum RouteMatchKind
{
    /// <summary>No route matches the path: answer 404.</summary>
    NotFound,

    /// <summary>A route matches path and method: run its handler.</summary>
    Found,

    /// <summary>Routes match the path but none the method: answer 405 with <see cref="RouteMatch{THandler}.Allow"/>.</summary>
    MethodNotAllowed,
}
