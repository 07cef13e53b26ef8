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

    internal RequestHead Head { get; } = new();
}
