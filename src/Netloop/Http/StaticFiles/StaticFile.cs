using System.Text;

namespace Netloop.Http.StaticFiles;

/// <summary>A file the resolver agreed to serve, with what its response headers need.</summary>
internal sealed class StaticFile
{
    private readonly byte[] _etag;

    internal StaticFile(string fullPath, long length, DateTime lastWriteUtc, string contentType, bool isDirectoryIndex)
    {
        FullPath = fullPath;
        Length = length;
        LastModified = new DateTimeOffset(lastWriteUtc.Ticks - (lastWriteUtc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        ETag = $"\"{length:x}-{lastWriteUtc.Ticks:x}\"";
        _etag = Encoding.ASCII.GetBytes(ETag);
        ContentType = contentType;
        IsDirectoryIndex = isDirectoryIndex;
    }

    /// <summary>The absolute path with every symbolic link resolved: open this one.</summary>
    public string FullPath { get; }

    /// <summary>The size in bytes when resolved.</summary>
    public long Length { get; }

    /// <summary>The modification time in UTC, truncated to whole seconds (what Last-Modified can say).</summary>
    public DateTimeOffset LastModified { get; }

    /// <summary>
    /// A strong entity-tag, quotes included: <c>"&lt;length in hex&gt;-&lt;mtime in hex 100 ns ticks since 0001-01-01 UTC&gt;"</c>,
    /// e.g. <c>"1f4-8dc2f5e1a3b4c5d"</c>. It changes whenever the size or the (sub-second) mtime does.
    /// </summary>
    public string ETag { get; }

    /// <summary><see cref="ETag"/> as ASCII bytes, for <see cref="Preconditions.Evaluate"/> and the response header.</summary>
    public ReadOnlySpan<byte> ETagBytes => _etag;

    /// <summary>
    /// The media type (<see cref="ContentTypes"/>) for the extension of the name the client asked for, or of the index
    /// file: a symbolic link <c>latest.js</c> to <c>app.v3</c> is JavaScript, as the client expects.
    /// </summary>
    public string ContentType { get; }

    /// <summary>
    /// True when the request named a directory and this is its index file. If the request path lacked the trailing
    /// <c>/</c>, relative links in the page resolve against the parent: an app may prefer to redirect to add it.
    /// </summary>
    public bool IsDirectoryIndex { get; }
}
