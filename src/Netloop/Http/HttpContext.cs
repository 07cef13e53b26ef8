using Netloop.Http.Routing;

namespace Netloop.Http;

/// <summary>One request and its response, with the route values the router matched. Reused for the connection's next request once the handler finishes: do not keep it.</summary>
public sealed class HttpContext
{
    internal HttpContext()
    {
        Request = new HttpRequest(Head);
    }

    /// <summary>The request.</summary>
    public HttpRequest Request { get; }

    /// <summary>The response.</summary>
    public HttpResponse Response { get; } = new();

    /// <summary>Values of the route template's parameters, e.g. <c>Route["id"]</c> for <c>/users/{id}</c>.</summary>
    public RouteValues Route { get; } = new();

    /// <summary>
    /// The app's services (its builder's <c>Services</c>, or the Generic Host's): the root provider, not a scope per
    /// request, so asking for nothing costs nothing. Resolve singletons and transients here; for scoped services create
    /// a scope (<c>RequestServices.CreateScope()</c>) and dispose it before the handler returns. Without DI (an
    /// <see cref="Protocols.Http1.HttpProtocolFactory"/> used on its own) a provider that has no services.
    /// </summary>
    public IServiceProvider RequestServices { get; set; } = Hosting.EmptyServiceProvider.Instance;

    internal RequestHead Head { get; } = new();
}
