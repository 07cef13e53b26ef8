using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Netloop.Hosting;

/// <summary>
/// What <c>RunAsync</c> does for an app or a bare server: start, say where it listens, serve until cancelled or until
/// SIGINT/SIGTERM, stop gracefully. A start-up failure the user can fix (bad configuration, address in use) is one line
/// on standard error and exit code 1, not a stack trace.
/// </summary>
internal static partial class ServerRun
{
    public static async Task RunAsync(Action start, Func<Task> stop, Func<IReadOnlyList<string>> urls, ILogger logger, CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        string? signalName = null;
        void OnSignal(PosixSignalContext context)
        {
            // Cancel = true keeps the runtime from terminating the process at once: the graceful stop below ends it.
            context.Cancel = true;
            signalName ??= context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
            stopping.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
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
        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        LogStopping(logger, signalName ?? "cancellation");
        await stop().ConfigureAwait(false);
        LogStopped(logger);
    }

    /// <summary>Logs where a started server listens; IPv6 addresses come bracketed (<c>http://[::1]:8080</c>).</summary>
    public static void LogListening(ILogger logger, IPEndPoint endPoint, string scheme) => LogListeningOn(logger, $"{scheme}://{endPoint}");

    /// <summary>Logs one <c>listening on URL</c> line.</summary>
    public static void LogListening(ILogger logger, string url) => LogListeningOn(logger, url);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "listening on {Url}")]
    private static partial void LogListeningOn(ILogger logger, string url);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "stopping ({Reason}): finishing open requests")]
    private static partial void LogStopping(ILogger logger, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "stopped")]
    private static partial void LogStopped(ILogger logger);
}
