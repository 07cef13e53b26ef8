using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Netloop.Cli;

/// <summary>The CLI's log: one line per event on stdout, so it can be grepped and piped; errors about the command line go to stderr instead.</summary>
internal static class ConsoleLog
{
    /// <summary>The category of the CLI's own lines (the server's components log under <c>Netloop.*</c>).</summary>
    public const string Category = "netloop";

    /// <summary>A logger factory writing single-line, UTC-timestamped messages at Information and above. Dispose it to flush.</summary>
    public static ILoggerFactory CreateFactory() => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(LogLevel.Information)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.IncludeScopes = false;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
        }));
}
