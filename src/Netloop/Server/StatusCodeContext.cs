using Netloop.Http;

namespace Netloop.Server;

/// <summary>
/// What a status-code page handler (<see cref="NetloopApp.UseStatusCodePages(Func{StatusCodeContext, ValueTask})"/>)
/// gets: the context of a request whose response is an error (400–599) with no body.
/// </summary>
public sealed class StatusCodeContext
{
    internal StatusCodeContext(HttpContext httpContext) => HttpContext = httpContext;

    /// <summary>The request and its response; the response has its status (and, for 405, its Allow header) set and no body yet.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>The response's status code, e.g. 404.</summary>
    public int StatusCode => HttpContext.Response.StatusCode;
}
