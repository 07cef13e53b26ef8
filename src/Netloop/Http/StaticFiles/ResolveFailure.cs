namespace Netloop.Http.StaticFiles;

/// <summary>Why <see cref="StaticFileResolver.Resolve"/> answered NotFound; every reason maps to a 404.</summary>
internal enum ResolveFailure
{
    /// <summary>Not a failure: the file was found.</summary>
    None,

    /// <summary>
    /// The path is not acceptable as written: a malformed or NUL percent-escape (<c>%zz</c>, <c>%00</c>), a control
    /// character, invalid UTF-8, a backslash, an encoded slash (<c>%2F</c>) inside a segment, an empty segment
    /// (<c>a//b</c>, <c>//etc/passwd</c>), or more than 4096 bytes.
    /// </summary>
    InvalidPath,

    /// <summary>A <c>.</c> or <c>..</c> segment, literal or encoded (<c>%2e%2e</c>).</summary>
    Traversal,

    /// <summary>A segment starting with <c>.</c> (<c>.env</c>, <c>.git/config</c>): hidden files are never served.</summary>
    Hidden,

    /// <summary>Nothing there (or not readable), or a file named with a trailing slash.</summary>
    Missing,

    /// <summary>The real path, after resolving symbolic links, is outside the root.</summary>
    OutsideRoot,

    /// <summary>A FIFO, socket or device.</summary>
    NotRegularFile,

    /// <summary>A directory without an index file: there are no listings.</summary>
    DirectoryWithoutIndex,
}
