namespace Netloop.Http.StaticFiles;

/// <summary>The answer of <see cref="StaticFileResolver.Resolve"/>: the file to serve, or why there is none.</summary>
internal readonly record struct ResolveResult
{
    internal ResolveResult(StaticFile? file, ResolveFailure failure)
    {
        File = file;
        Failure = failure;
    }

    /// <summary>True when there is a file to serve; otherwise answer 404.</summary>
    public bool IsFound => File is not null;

    /// <summary>The file to serve, when found.</summary>
    public StaticFile? File { get; }

    /// <summary>Why not found (for logs and tests); <see cref="ResolveFailure.None"/> when found.</summary>
    public ResolveFailure Failure { get; }
}
