using Netloop.Http;

namespace Netloop.Server;

/// <summary>A mapped handler and the builder it was mapped on, whose group middleware wraps it once the app composes.</summary>
internal sealed class Endpoint(RequestHandler handler, EndpointRouteBuilder owner)
{
    private RequestHandler? _run;

    /// <summary>The handler with its groups' middleware around it; the bare handler until composed.</summary>
    public RequestHandler Run => _run ?? handler;

    /// <summary>Wraps the handler in the middleware of its group and every enclosing group (innermost first).</summary>
    public void Compose()
    {
        RequestHandler run = handler;
        for (EndpointRouteBuilder? group = owner; group is RouteGroupBuilder; group = group.Parent) run = group.Wrap(run);
        _run = run;
    }
}
