namespace Netloop.Bench.Running;

/// <summary>
/// How to start the <c>netloop</c> command again as a child process (for <c>serve</c> and <c>load</c>). Run as its
/// apphost (<c>bin/…/Netloop.Cli</c>, <c>dotnet run</c>, a tool shim), this process's path is the command; run as
/// <c>dotnet Netloop.Cli.dll</c>, the path is the dotnet host and the dll must follow it.
/// </summary>
internal sealed record NetloopExecutable(ProcessCommand Command)
{
    /// <summary>The executable of the running process; <paramref name="cliAssemblyPath"/> is the CLI's dll (<c>typeof(SomeCliType).Assembly.Location</c>).</summary>
    public static NetloopExecutable ForCurrentProcess(string cliAssemblyPath) =>
        Resolve(Environment.ProcessPath, cliAssemblyPath, DotnetHost.Path);

    /// <summary>The pure part of <see cref="ForCurrentProcess"/>, for tests.</summary>
    public static NetloopExecutable Resolve(string? processPath, string cliAssemblyPath, string dotnetHost)
    {
        if (processPath is null || DotnetHost.IsHost(processPath))
        {
            return new NetloopExecutable(new ProcessCommand(processPath ?? dotnetHost, [cliAssemblyPath]));
        }
        return new NetloopExecutable(new ProcessCommand(processPath, []));
    }

    /// <summary><c>netloop</c> followed by <paramref name="arguments"/>.</summary>
    public ProcessCommand Run(IEnumerable<string> arguments) => Command.With(arguments);
}
