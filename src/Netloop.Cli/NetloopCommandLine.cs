using System.CommandLine;
using System.CommandLine.Help;
using System.Reflection;
using Netloop.Cli.Commands;

namespace Netloop.Cli;

/// <summary>The <c>netloop</c> command line: parses, reports each mistake on one line, runs the chosen command.</summary>
internal static class NetloopCommandLine
{
    /// <summary>The prefix of every line the CLI writes to stderr, so messages are attributable inside scripts and logs.</summary>
    public const string ErrorPrefix = "netloop: ";

    /// <summary>The product version without the source-revision suffix the SDK appends (<c>0.1.0</c>, not <c>0.1.0+3f2a…</c>).</summary>
    public static string Version { get; } = ReadVersion();

    /// <summary>Builds the command tree: <c>netloop serve</c>, <c>netloop load</c>, <c>netloop bench</c>.</summary>
    /// <remarks>
    /// Not a <see cref="RootCommand"/>: that one is named after the executable, which is <c>Netloop.Cli</c> under
    /// <c>dotnet run</c> or a tool shim, while help should show the name people type.
    /// </remarks>
    public static Command CreateRootCommand() => new("netloop", "Netloop: an event-driven, non-blocking network server for .NET.")
    {
        new HelpOption(),
        new VersionOption(),
        new ServeCommand(),
        new LoadCommand(),
        new BenchCommand(),
    };

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var parseResult = CreateRootCommand().Parse(args);

        // System.CommandLine's own error action prints help after the errors and exits 1; a usage mistake should
        // be one line per error and exit 2, like other Unix tools. Help and --version clear errors, so they still run.
        if (parseResult.Errors.Count > 0 && parseResult.Action is not { ClearsParseErrors: true })
        {
            foreach (var error in parseResult.Errors)
            {
                await Console.Error.WriteLineAsync(FormatUsageError(error.Message)).ConfigureAwait(false);
            }
            return ExitCodes.UsageError;
        }

        var invocation = new InvocationConfiguration
        {
            // serve handles SIGINT and SIGTERM itself (graceful stop bounded by --shutdown-timeout); the library's
            // handler would otherwise kill the process 2 s after the signal, in the middle of that stop.
            ProcessTerminationTimeout = null,
        };
        return await parseResult.InvokeAsync(invocation).ConfigureAwait(false);
    }

    /// <summary>Formats a command-line mistake as the single stderr line users see.</summary>
    public static string FormatUsageError(string message) => $"{ErrorPrefix}error: {OneLine(message)}";

    /// <summary>Formats a run-time failure (the server could not start or stop cleanly) as a single stderr line.</summary>
    public static string FormatFailure(string message) => ErrorPrefix + OneLine(message);

    // Some library messages list choices on separate lines; a one-line error stays greppable.
    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string ReadVersion()
    {
        string? version = typeof(NetloopCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(version)) return "0.0.0";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
