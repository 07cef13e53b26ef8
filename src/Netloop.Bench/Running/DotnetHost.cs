namespace Netloop.Bench.Running;

/// <summary>Finds the <c>dotnet</c> host that runs framework-dependent apps (the CLI's dll, the Kestrel peer).</summary>
internal static class DotnetHost
{
    /// <summary>The host running this process when it is <c>dotnet</c>, else the SDK's <c>DOTNET_HOST_PATH</c>, else <c>dotnet</c> from PATH.</summary>
    public static string Path => Resolve(Environment.ProcessPath, Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"));

    /// <summary>Whether <paramref name="processPath"/> is the dotnet host itself rather than an app's own executable.</summary>
    public static bool IsHost(string? processPath) =>
        processPath is not null && string.Equals(System.IO.Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.Ordinal);

    /// <summary>The pure part of <see cref="Path"/>, for tests.</summary>
    public static string Resolve(string? processPath, string? hostPathVariable)
    {
        if (IsHost(processPath)) return processPath!;
        if (!string.IsNullOrEmpty(hostPathVariable) && File.Exists(hostPathVariable)) return hostPathVariable;
        return "dotnet";
    }
}
