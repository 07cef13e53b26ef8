namespace Netloop.Server;

/// <summary>
/// Routes under a common prefix, made by <see cref="EndpointRouteBuilder.MapGroup(string)"/>: map on it as on the app,
/// nest more groups, and add middleware with <c>Use</c> that runs for this group's routes only.
/// </summary>
public sealed class RouteGroupBuilder : EndpointRouteBuilder
{
    internal RouteGroupBuilder(NetloopApp app, EndpointRouteBuilder parent, string prefix)
        : base(prefix)
    {
        App = app;
        Parent = parent is NetloopApp ? null : parent;
    }

    internal override NetloopApp App { get; }

    internal override EndpointRouteBuilder? Parent { get; }
}
