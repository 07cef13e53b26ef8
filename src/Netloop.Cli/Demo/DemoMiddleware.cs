using System.CommandLine.Parsing;
using Netloop.Server;

namespace Netloop.Cli.Demo;

/// <summary>
/// The middleware <c>netloop serve --protocol http --middleware …</c> (hidden, for the bench) puts in front of the demo
/// app's handlers, so the bench can show the allocation per request with and without one pass-through middleware.
/// </summary>
internal enum DemoMiddleware
{
    /// <summary>No middleware: handlers run straight from the router.</summary>
    None,

    /// <summary>One middleware that only calls the next: the cost of the middleware pipeline itself.</summary>
    Passthrough,
}

/// <summary>Parsing and applying <see cref="DemoMiddleware"/>.</summary>
internal static class DemoMiddlewares
{
    /// <summary>The names <c>--middleware</c> accepts.</summary>
    public const string List = "none, passthrough";

    /// <summary>A custom parser for <c>--middleware</c>: an unknown name is a one-line parse error.</summary>
    public static DemoMiddleware? Parse(ArgumentResult result)
    {
        string? token = Parsing.InvalidValue.Token(result);
        if (token is null) return null;
        if (string.Equals(token, "none", StringComparison.OrdinalIgnoreCase)) return DemoMiddleware.None;
        if (string.Equals(token, "passthrough", StringComparison.OrdinalIgnoreCase)) return DemoMiddleware.Passthrough;
        result.AddError($"unknown middleware '{token}' (expected {List})");
        return null;
    }

    /// <summary>Adds <paramref name="middleware"/> to <paramref name="app"/> (nothing for <see cref="DemoMiddleware.None"/>).</summary>
    public static void Apply(NetloopApp app, DemoMiddleware middleware)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (middleware == DemoMiddleware.None) return;
        app.Use((context, next) => next(context));
    }
}
