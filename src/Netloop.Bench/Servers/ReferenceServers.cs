using System.Globalization;
using Netloop.Bench.Cases;
using Netloop.Bench.Running;

namespace Netloop.Bench.Servers;

/// <summary>
/// The C limit servers (<see cref="ServerFamily.Reference"/>): where their sources are, the program for each protocol,
/// and the commands that build and start them. The sources are the repository's own, in <c>bench/limit</c>, so a clone
/// alone reproduces every column; they are compiled into the run's scratch folder.
/// </summary>
internal static class ReferenceServers
{
    /// <summary>An environment variable naming the folder of <c>limit-http.c</c> and <c>limit-echo.c</c>, over <see cref="DefaultFolder"/>.</summary>
    public const string FolderVariable = "NETLOOP_REFERENCE_DIR";

    /// <summary>Where the sources are looked for without <see cref="FolderVariable"/>, relative to the repository root.</summary>
    public const string DefaultFolder = "bench/limit";

    /// <summary>The HTTP server: a fixed "Hello, World!" 200 for every request, keep-alive and pipelining.</summary>
    public const string HttpProgram = "limit-http";

    /// <summary>The echo server: every byte written back in order.</summary>
    public const string EchoProgram = "limit-echo";

    /// <summary>Both source files, as messages name them.</summary>
    public const string SourceNames = HttpProgram + ".c and " + EchoProgram + ".c";

    /// <summary>Both programs, in the order they are built.</summary>
    public static IReadOnlyList<string> Programs { get; } = [HttpProgram, EchoProgram];

    /// <summary>The program that serves <paramref name="protocol"/>.</summary>
    public static string ProgramFor(LoadProtocol protocol) => protocol == LoadProtocol.Echo ? EchoProgram : HttpProgram;

    /// <summary>
    /// The folder holding the sources: <paramref name="variable"/> (the value of <see cref="FolderVariable"/>) when set,
    /// else <see cref="DefaultFolder"/> inside <paramref name="repositoryRoot"/>; null when neither is known.
    /// </summary>
    public static string? FolderFor(string? repositoryRoot, string? variable)
    {
        if (!string.IsNullOrWhiteSpace(variable)) return Path.GetFullPath(variable.Trim());
        return repositoryRoot is null ? null : Path.GetFullPath(Path.Combine(repositoryRoot, DefaultFolder));
    }

    /// <summary><c>gcc -O2 -Wall -o OUTPUT/PROGRAM SOURCES/PROGRAM.c</c>, as the sources' own comments build them.</summary>
    public static ProcessCommand Build(string gcc, string sourceFolder, string program, string outputFolder) =>
        new(gcc, ["-O2", "-Wall", "-o", Path.Combine(outputFolder, program), Path.Combine(sourceFolder, program + ".c")]);

    /// <summary>
    /// The command that starts the program for <paramref name="protocol"/> built in <paramref name="binaryFolder"/>,
    /// on 127.0.0.1 only (both take <c>PORT [ADDR]</c>; the address is given although it is their default, so the
    /// command says where it listens). Neither takes a connection cap: both size their connection table to
    /// RLIMIT_NOFILE, raised to the hard limit.
    /// </summary>
    public static ProcessCommand Start(string binaryFolder, LoadProtocol protocol, int port) =>
        new(Path.Combine(binaryFolder, ProgramFor(protocol)), [port.ToString(CultureInfo.InvariantCulture), "127.0.0.1"]);
}
