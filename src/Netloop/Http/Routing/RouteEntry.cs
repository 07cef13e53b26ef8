namespace Netloop.Http.Routing;

/// <summary>One (method, template) registration: what a match hands back.</summary>
internal sealed class RouteEntry<THandler>(string? method, THandler handler, string template, string[] parameterNames)
{
    /// <summary>The method, upper-cased; null for a route that takes any method.</summary>
    public string? Method { get; } = method;

    public byte[] MethodBytes { get; } = method is null ? [] : System.Text.Encoding.ASCII.GetBytes(method);

    public THandler Handler { get; } = handler;

    public string Template { get; } = template;

    /// <summary>Names of the captured segments, in the order the matcher captures them.</summary>
    public string[] ParameterNames { get; } = parameterNames;
}
