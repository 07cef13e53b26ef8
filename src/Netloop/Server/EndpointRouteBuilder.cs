using Netloop.Http;

namespace Netloop.Server;

/// <summary>
/// Where routes and middleware are added: the <see cref="NetloopApp"/> itself, or a <see cref="RouteGroupBuilder"/>
/// made by <see cref="MapGroup"/>. The Map* and Use methods are extension methods in
/// <see cref="EndpointRouteBuilderExtensions"/>, written once for both and returning the builder they were called on.
/// Add everything before the first request: the pipeline is composed then, and later additions throw.
/// </summary>
public abstract class EndpointRouteBuilder
{
    private readonly List<Func<RequestHandler, RequestHandler>> _middleware = [];

    private protected EndpointRouteBuilder(string prefix) => Prefix = prefix;

    /// <summary>The path prefix of every template mapped here: empty for the app, e.g. <c>/api</c> for <c>MapGroup("/api")</c>.</summary>
    public string Prefix { get; }

    /// <summary>
    /// A group of routes under <paramref name="prefix"/> (e.g. <c>/api</c>; route parameters allowed, e.g.
    /// <c>/users/{id}</c>): templates mapped on it are appended to the prefix, and middleware added to it with
    /// <c>Use</c> runs for its routes only (after the app's middleware, and inside the middleware of enclosing groups).
    /// </summary>
    /// <exception cref="ArgumentException">The prefix is null or holds a query (<c>?</c>).</exception>
    public RouteGroupBuilder MapGroup(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Contains('?')) throw new ArgumentException($"group prefix '{prefix}' holds a query; a prefix is a path", nameof(prefix));
        App.ThrowIfComposed();
        return new RouteGroupBuilder(App, this, Combine(Prefix, prefix));
    }

    internal abstract NetloopApp App { get; }

    /// <summary>The group enclosing this one; null for the app and for a group made on the app.</summary>
    internal abstract EndpointRouteBuilder? Parent { get; }

    /// <summary>Adds a route for <paramref name="methods"/> (null: any method) under this builder's prefix.</summary>
    internal void AddRoute(IEnumerable<string>? methods, string template, RequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(handler);
        App.AddEndpoint(methods, Combine(Prefix, template), new Endpoint(handler, this));
    }

    /// <summary>Adds a middleware (a function from the next handler to a handler), composed once, in order of addition.</summary>
    internal void AddMiddleware(Func<RequestHandler, RequestHandler> middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        App.ThrowIfComposed();
        _middleware.Add(middleware);
    }

    /// <summary>Wraps <paramref name="next"/> in this builder's middleware, the first added outermost.</summary>
    internal RequestHandler Wrap(RequestHandler next)
    {
        for (int i = _middleware.Count - 1; i >= 0; i--)
        {
            next = _middleware[i](next) ?? throw new InvalidOperationException("a middleware factory returned null");
        }
        return next;
    }

    private static string Combine(string prefix, string template)
    {
        string head = prefix.TrimEnd('/');
        string tail = template.TrimStart('/');
        if (head.Length > 0 && !head.StartsWith('/')) head = "/" + head;
        return tail.Length == 0 ? (head.Length == 0 ? "/" : head) : head + "/" + tail;
    }
}
