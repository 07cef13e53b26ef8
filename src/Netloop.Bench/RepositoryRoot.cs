namespace Netloop.Bench;

/// <summary>Finds the clone of the repository the bench runs in: the folder holding <c>Netloop.sln</c>.</summary>
internal static class RepositoryRoot
{
    /// <summary>The first folder, from each start folder upwards, that holds <c>Netloop.sln</c>; null when none does.</summary>
    public static string? Find(params string[] startFolders)
    {
        foreach (string start in startFolders)
        {
            for (var folder = new DirectoryInfo(Path.GetFullPath(start)); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Netloop.sln"))) return folder.FullName;
            }
        }
        return null;
    }

    /// <summary>
    /// Where a run's output goes without <c>--output</c>: <c>bench/results/&lt;UTC timestamp&gt;</c> in the clone, or
    /// <c>bench-results/&lt;UTC timestamp&gt;</c> under the current folder outside one.
    /// </summary>
    public static string DefaultOutput(string? repositoryRoot, DateTimeOffset now)
    {
        string stamp = now.UtcDateTime.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        return repositoryRoot is null
            ? Path.Combine(Environment.CurrentDirectory, "bench-results", stamp)
            : Path.Combine(repositoryRoot, "bench", "results", stamp);
    }
}
