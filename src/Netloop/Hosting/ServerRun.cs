using System.Net;
using Microsoft.Extensions.Logging;

namespace Netloop.Hosting;

/// <summary>
/// What <c>RunAsync</c> does for an app or a bare server: start, say where it listens, serve until cancelled or until
/// SIGINT/SIGTERM, stop gracefully. A start-up failure the user can fix (bad configuration, address in use) is one line
/// on standard error and exit code 1, not a stack trace. A server that fails by itself (an event loop died) is stopped
/// with a critical line and exit code 1 rather than left half-alive, and a second signal during the stop exits at once
/// (130/143, see <see cref="ShutdownSignal"/>).
/// </summary>
internal static partial class ServerRun
{
    public static async Task RunAsync(Action start, Func<Task> stop, Func<IReadOnlyList<string>> urls, Func<Task<Exception>> failed, ILogger logger, CancellationToken cancellationToken)
    {
        // Registered before the start so a signal right after the listening line still means "stop gracefully".
        using var shutdown = new ShutdownSignal();
        try
        {
            start();
        }
        catch (NetloopException e)
        {
            await Console.Error.WriteLineAsync($"netloop: {e.Message}").ConfigureAwait(false);
            Environment.ExitCode = 1;
            await stop().ConfigureAwait(false);
            return;
        }
        foreach (var url in urls()) LogListeningOn(logger, url);
        var signalled = shutdown.WaitAsync(cancellationToken);
        var failure = failed();
        if (await Task.WhenAny(signalled, failure).ConfigureAwait(false) == failure)
        {
            // Its connections are no longer served: stop the rest and end the run rather than wait for a signal.
            ReportFailure(logger, (await failure.ConfigureAwait(false)).Message);
            await StopReportedAsync(stop).ConfigureAwait(false);
            return;
        }
        LogStopping(logger, await signalled.ConfigureAwait(false));
        try
        {
            await stop().ConfigureAwait(false);
        }
        catch (NetloopException e)
        {
            // A loop failed during the drain: the stop has finished all the same, but the run did not end well.
            ReportFailure(logger, e.Message);
            return;
        }
        LogStopped(logger);
    }

    /// <summary>The one critical line for a server that failed by itself, and exit code 1 for the process.</summary>
    public static void ReportFailure(ILogger logger, string cause)
    {
        LogFailed(logger, cause);
        Environment.ExitCode = 1;
    }

    /// <summary>Stops a server whose failure has been reported: the stop's own report of it is not news.</summary>
    public static async Task StopReportedAsync(Func<Task> stop)
    {
        try
        {
            await stop().ConfigureAwait(false);
        }
        catch (NetloopException)
        {
        }
    }

    /// <summary>Logs where a started server listens; IPv6 addresses come bracketed (<c>http://[::1]:8080</c>).</summary>
    public static void LogListening(ILogger logger, IPEndPoint endPoint, string scheme) => LogListeningOn(logger, $"{scheme}://{endPoint}");

    /// <summary>Logs one <c>listening on URL</c> line.</summary>
    public static void LogListening(ILogger logger, string url) => LogListeningOn(logger, url);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "listening on {Url}")]
    private static partial void LogListeningOn(ILogger logger, string url);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "stopping ({Reason}): finishing open requests; a second signal exits at once")]
    private static partial void LogStopping(ILogger logger, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Critical, Message = "the server failed ({Cause}): stopping; exit code 1")]
    private static partial void LogFailed(ILogger logger, string cause);
}
