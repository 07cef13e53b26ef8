using System.Runtime.CompilerServices;
using Netloop.Http;

namespace Netloop.Server;

/// <summary>
/// The minimal-API surface shared by <see cref="NetloopApp"/> and <see cref="RouteGroupBuilder"/>: Map* for routes,
/// Use for middleware. Each Map* takes a synchronous handler (<see cref="Action{HttpContext}"/>), a
/// <see cref="Func{HttpContext, Task}"/> or a <see cref="RequestHandler"/> (<see cref="ValueTask"/>, the cheapest when
/// the handler usually completes synchronously). Each returns the builder it was called on, for chaining.
/// </summary>
/// <remarks>
/// Templates are those of <see cref="Http.Routing.Router{THandler}"/>: literal segments, <c>{id}</c>, <c>{id:int}</c>,
/// <c>{id?}</c> last, <c>{*rest}</c> last; matched ignoring ASCII case and one trailing slash. A template is appended
/// to the prefix of the group it is mapped on. Mapping a method twice for an equivalent template throws
/// <see cref="ArgumentException"/>; so does a malformed template or method. Everything must be mapped before the first
/// request (afterwards <see cref="InvalidOperationException"/>).
/// </remarks>
public static class EndpointRouteBuilderExtensions
{

    /// <summary>Maps GET (and so HEAD, unless HEAD is mapped too) on <paramref name="template"/>, to a synchronous handler.</summary>
    public static TBuilder MapGet<TBuilder>(this TBuilder builder, string template, Action<HttpContext> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["GET"], template, Sync(handler));

    /// <summary>Maps GET (and so HEAD, unless HEAD is mapped too) on <paramref name="template"/>, to an async handler.</summary>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: take Task, as ASP.NET Core does
    public static TBuilder MapGet<TBuilder>(this TBuilder builder, string template, Func<HttpContext, Task> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["GET"], template, Async(handler));

    /// <summary>Maps GET (and so HEAD, unless HEAD is mapped too) on <paramref name="template"/>, to a <see cref="RequestHandler"/>.</summary>
    public static TBuilder MapGet<TBuilder>(this TBuilder builder, string template, RequestHandler handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["GET"], template, handler);

    /// <summary>Maps POST on <paramref name="template"/>, to a synchronous handler.</summary>
    public static TBuilder MapPost<TBuilder>(this TBuilder builder, string template, Action<HttpContext> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["POST"], template, Sync(handler));

    /// <summary>Maps POST on <paramref name="template"/>, to an async handler.</summary>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: take Task, as ASP.NET Core does
    public static TBuilder MapPost<TBuilder>(this TBuilder builder, string template, Func<HttpContext, Task> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["POST"], template, Async(handler));

    /// <summary>Maps POST on <paramref name="template"/>, to a <see cref="RequestHandler"/>.</summary>
    public static TBuilder MapPost<TBuilder>(this TBuilder builder, string template, RequestHandler handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["POST"], template, handler);

    /// <summary>Maps PUT on <paramref name="template"/>, to a synchronous handler.</summary>
    public static TBuilder MapPut<TBuilder>(this TBuilder builder, string template, Action<HttpContext> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["PUT"], template, Sync(handler));

    /// <summary>Maps PUT on <paramref name="template"/>, to an async handler.</summary>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: take Task, as ASP.NET Core does
    public static TBuilder MapPut<TBuilder>(this TBuilder builder, string template, Func<HttpContext, Task> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["PUT"], template, Async(handler));

    /// <summary>Maps PUT on <paramref name="template"/>, to a <see cref="RequestHandler"/>.</summary>
    public static TBuilder MapPut<TBuilder>(this TBuilder builder, string template, RequestHandler handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["PUT"], template, handler);

    /// <summary>Maps DELETE on <paramref name="template"/>, to a synchronous handler.</summary>
    public static TBuilder MapDelete<TBuilder>(this TBuilder builder, string template, Action<HttpContext> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["DELETE"], template, Sync(handler));

    /// <summary>Maps DELETE on <paramref name="template"/>, to an async handler.</summary>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: take Task, as ASP.NET Core does
    public static TBuilder MapDelete<TBuilder>(this TBuilder builder, string template, Func<HttpContext, Task> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["DELETE"], template, Async(handler));

    /// <summary>Maps DELETE on <paramref name="template"/>, to a <see cref="RequestHandler"/>.</summary>
    public static TBuilder MapDelete<TBuilder>(this TBuilder builder, string template, RequestHandler handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["DELETE"], template, handler);

    /// <summary>Maps PATCH on <paramref name="template"/>, to a synchronous handler.</summary>
    public static TBuilder MapPatch<TBuilder>(this TBuilder builder, string template, Action<HttpContext> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["PATCH"], template, Sync(handler));

    /// <summary>Maps PATCH on <paramref name="template"/>, to an async handler.</summary>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: take Task, as ASP.NET Core does
    public static TBuilder MapPatch<TBuilder>(this TBuilder builder, string template, Func<HttpContext, Task> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["PATCH"], template, Async(handler));

    /// <summary>Maps PATCH on <paramref name="template"/>, to a <see cref="RequestHandler"/>.</summary>
    public static TBuilder MapPatch<TBuilder>(this TBuilder builder, string template, RequestHandler handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, ["PATCH"], template, handler);

    /// <summary>Maps every method of <paramref name="methods"/> (tokens, upper-cased; at least one) on <paramref name="template"/>, to a synchronous handler.</summary>
    public static TBuilder MapMethods<TBuilder>(this TBuilder builder, IEnumerable<string> methods, string template, Action<HttpContext> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, methods, template, Sync(handler));

    /// <summary>Maps every method of <paramref name="methods"/> (tokens, upper-cased; at least one) on <paramref name="template"/>, to an async handler.</summary>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: take Task, as ASP.NET Core does
    public static TBuilder MapMethods<TBuilder>(this TBuilder builder, IEnumerable<string> methods, string template, Func<HttpContext, Task> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, methods, template, Async(handler));

    /// <summary>Maps every method of <paramref name="methods"/> (tokens, upper-cased; at least one) on <paramref name="template"/>, to a <see cref="RequestHandler"/>.</summary>
    public static TBuilder MapMethods<TBuilder>(this TBuilder builder, IEnumerable<string> methods, string template, RequestHandler handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, methods, template, handler);

    /// <summary>Maps <paramref name="methods"/> on <paramref name="template"/> (the same as <c>MapMethods</c>), to a synchronous handler.</summary>
    public static TBuilder Map<TBuilder>(this TBuilder builder, IEnumerable<string> methods, string template, Action<HttpContext> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, methods, template, Sync(handler));

    /// <summary>Maps <paramref name="methods"/> on <paramref name="template"/> (the same as <c>MapMethods</c>), to an async handler.</summary>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: take Task, as ASP.NET Core does
    public static TBuilder Map<TBuilder>(this TBuilder builder, IEnumerable<string> methods, string template, Func<HttpContext, Task> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, methods, template, Async(handler));

    /// <summary>Maps <paramref name="methods"/> on <paramref name="template"/> (the same as <c>MapMethods</c>), to a <see cref="RequestHandler"/>.</summary>
    public static TBuilder Map<TBuilder>(this TBuilder builder, IEnumerable<string> methods, string template, RequestHandler handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, methods, template, handler);

    /// <summary>Maps every method on <paramref name="template"/>; a route for the request's own method on the same template wins, and a path it matches never gets 405 or the automatic OPTIONS answer, to a synchronous handler.</summary>
    public static TBuilder Map<TBuilder>(this TBuilder builder, string template, Action<HttpContext> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, null, template, Sync(handler));

    /// <summary>Maps every method on <paramref name="template"/>; a route for the request's own method on the same template wins, and a path it matches never gets 405 or the automatic OPTIONS answer, to an async handler.</summary>
    [OverloadResolutionPriority(1)] // an async lambda fits Task and ValueTask alike: take Task, as ASP.NET Core does
    public static TBuilder Map<TBuilder>(this TBuilder builder, string template, Func<HttpContext, Task> handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, null, template, Async(handler));

    /// <summary>Maps every method on <paramref name="template"/>; a route for the request's own method on the same template wins, and a path it matches never gets 405 or the automatic OPTIONS answer, to a <see cref="RequestHandler"/>.</summary>
    public static TBuilder Map<TBuilder>(this TBuilder builder, string template, RequestHandler handler)
        where TBuilder : EndpointRouteBuilder =>
        Route(builder, null, template, handler);

    /// <summary>
    /// Serves the files under <paramref name="root"/> at <paramref name="prefix"/> (GET and HEAD), with sendfile,
    /// ETag/Last-Modified, 304 and single ranges.
    /// </summary>
    public static TBuilder MapStaticFiles<TBuilder>(this TBuilder builder, string prefix, string root)
        where TBuilder : EndpointRouteBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(prefix);
        var files = new StaticFileEndpoint(root);
        builder.AddRoute(["GET"], prefix.TrimEnd('/') + "/{*path}", files.Serve);
        return builder;
    }

    /// <summary>
    /// Adds a middleware: it gets the context and the next handler, and calls <c>next(context)</c> to go on (or
    /// answers itself). <c>next</c> is one delegate made when the app composes its pipeline, so a middleware that
    /// passes through, <c>(ctx, next) =&gt; next(ctx)</c>, allocates nothing per request. Middleware runs in the order
    /// added, the first outermost; on a group it runs for that group's routes only.
    /// </summary>
    public static TBuilder Use<TBuilder>(this TBuilder builder, Func<HttpContext, RequestHandler, ValueTask> middleware)
        where TBuilder : EndpointRouteBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(middleware);
        builder.AddMiddleware(next => context => middleware(context, next));
        return builder;
    }

    /// <summary>
    /// Adds a middleware in ASP.NET Core's classic shape, <c>async (ctx, next) =&gt; { …; await next(); }</c>.
    /// Convenient, but it allocates per request: a closure and a <see cref="Func{Task}"/> for <c>next</c> (96 B for a
    /// pass-through, measured), and the handler's Task when it completes asynchronously. Prefer the
    /// <see cref="RequestHandler"/> overload on hot paths.
    /// </summary>
    public static TBuilder Use<TBuilder>(this TBuilder builder, Func<HttpContext, Func<Task>, Task> middleware)
        where TBuilder : EndpointRouteBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(middleware);
        builder.AddMiddleware(next => context => new ValueTask(middleware(context, () => next(context).AsTask())));
        return builder;
    }

    /// <summary>
    /// Adds a middleware as a factory: given the next handler, return the handler to run in its place (called once,
    /// when the app composes its pipeline).
    /// </summary>
    public static TBuilder Use<TBuilder>(this TBuilder builder, Func<RequestHandler, RequestHandler> middleware)
        where TBuilder : EndpointRouteBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddMiddleware(middleware);
        return builder;
    }

    /// <summary>The one body of every Map* overload: the route added for <paramref name="methods"/> (null: any), the builder returned.</summary>
    private static TBuilder Route<TBuilder>(TBuilder builder, IEnumerable<string>? methods, string template, RequestHandler handler)
        where TBuilder : EndpointRouteBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(handler);
        builder.AddRoute(methods, template, handler);
        return builder;
    }

    private static RequestHandler Sync(Action<HttpContext> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return context =>
        {
            handler(context);
            return ValueTask.CompletedTask;
        };
    }

    private static RequestHandler Async(Func<HttpContext, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return context => new ValueTask(handler(context));
    }
}
