using System.Globalization;
using Netloop.Bench.Cases;
using Netloop.Bench.Running;

namespace Netloop.Bench.Servers;

/// <summary>
/// The C reference servers (<see cref="ServerFamily.Reference"/>): where their sources are, the program for each
/// protocol, and the commands that build and start them. The sources live beside the repository, in
/// <c>../shared/reference</c>, and are compiled into the run's scratch folder: they are never copied into the repository.
/// </summary>
internal static class ReferenceServers
{
    /// <summary>An environment variable naming the folder of <c>cepoll.c</c> and <c>cecho.c</c>, over <see cref="DefaultFolder"/>.</summary>
    public const string FolderVariable = "NETLOOP_REFERENCE_DIR";

    /// <summary>Where the sources are looked for without <see cref="FolderVariable"/>, relative to the repository root.</summary>
    public const string DefaultFolder = "../shared/reference";

    /// <summary>The HTTP server: a fixed "Hello, World!" 200 for every request, keep-alive and pipelining.</summary>
    public const string HttpProgram = "cepoll";

    /// <summary>The echo server: every byte written back in order.</summary>
    public const string EchoProgram = "cecho";

    /// <summary>Both programs, in the order they are built.</summary>
    public static IReadOnlyList<string> Programs { get; } = [HttpProgram, EchoProgram];

    /// <summary>The program that serves <paramref name="protocol"/>.</summary>
    public static string ProgramFor(LoadProtocol protocol) => protocol == LoadProtocol.Echo ? EchoProgram : HttpProgram;

    /// <summary>
    /// The folder holding the sources: <paramref name="variable"/> (the value of <see cref="FolderVariable"/>) when set,
    /// else <see cref="DefaultFolder"/> next to <paramref name="repositoryRoot"/>; null when neither is known.
    /// </summary>
    public static string? FolderFor(string? repositoryRoot, string? variable)
    {
        if (!string.IsNullOrWhiteSpace(variable)) return Path.GetFullPath(variable.Trim());
        return repositoryRoot is null ? null : Path.GetFullPath(Path.Combine(repositoryRoot, DefaultFolder));
    }

    /// <summary><c>gcc -O2 -Wall -o OUTPUT/PROGRAM SOURCES/PROGRAM.c</c>, as the reference README builds them.</summary>
    public static ProcessCommand Build(string gcc, string sourceFolder, string program, string outputFolder) =>
        new(gcc, ["-O2", "-Wall", "-o", Path.Combine(outputFolder, program), Path.Combine(sourceFolder, program + ".c")]);

    /// <summary>
    /// The command that starts the program for <paramref name="protocol"/> built in <paramref name="binaryFolder"/>,
    /// on 127.0.0.1 only (both take <c>PORT [ADDR]</c>; the address is given although it is their default, so the
    /// command says where it listens). Neither takes a connection cap: cepoll sizes its table to RLIMIT_NOFILE (raised
    /// to the hard limit) and cecho allocates per connection.
    /// </summary>
    public static ProcessCommand Start(string binaryFolder, LoadProtocol protocol, int port) =>
        new(Path.Combine(binaryFolder, ProgramFor(protocol)), [port.ToString(CultureInfo.InvariantCulture), "127.0.0.1"]);
}
