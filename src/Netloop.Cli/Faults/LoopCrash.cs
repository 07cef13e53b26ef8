using Netloop.Protocols;
using Netloop.Protocols.Http1;
using Netloop.Transport;

namespace Netloop.Cli.Faults;

/// <summary>
/// <c>--fault loop-crash</c> (test only): a request for <see cref="Path"/> makes the event loop serving it fail as a
/// poller failure would, so a test can prove the process then stops with exit code 1 and a critical log line instead
/// of living on with a dead loop. Other requests are served as usual.
/// </summary>
internal static class LoopCrash
{
    /// <summary>The path that crashes its loop.</summary>
    public const string Path = "/crash-loop";

    /// <summary>The fault's <see cref="ServerFault.Apply"/>: wraps the HTTP application.</summary>
    public static IConnectionProtocolFactory Wrap(IConnectionProtocolFactory protocol)
    {
        if (protocol is not HttpProtocolFactory http) throw new ArgumentException("--fault loop-crash applies to --protocol http only");
        var application = http.Application;
        return new HttpProtocolFactory(context =>
        {
            if (context.Request.Path == Path && context.Request.Connection is Connection connection)
            {
                connection.Loop.FailForTest(new InvalidOperationException("test fault: loop-crash"));
                context.Response.WriteText("crashing this loop\n");
                return ValueTask.CompletedTask;
            }
            return application(context);
        }, http.Limits, http.Json, http.Logger);
    }
}
