namespace Netloop.Cli.Commands;

/// <summary>The <c>--output</c> folder of the bench commands.</summary>
internal static class OutputFolder
{
    /// <summary>Creates <paramref name="path"/>; on failure prints the one-line error and returns false.</summary>
    public static async Task<bool> TryCreateAsync(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync(NetloopCommandLine.FormatFailure($"cannot create --output folder '{path}': {e.Message}")).ConfigureAwait(false);
            return false;
        }
    }
}
