using System.Text;
using Netloop.Http.Routing;

namespace Netloop.Http.StaticFiles;

/// <summary>
/// Maps a request path under a static-files prefix to a file below one root directory, refusing everything that
/// could leave the root or expose what should stay private. Pure decisions: it stats, but opens nothing.
/// </summary>
/// <remarks>
/// <para>Rules, in order (each refusal is a 404; <see cref="ResolveResult.Failure"/> says which):</para>
/// <list type="number">
/// <item>One leading and one trailing <c>/</c> are dropped; any other empty segment (<c>a//b</c>, <c>//etc</c>) is
/// refused, so a path can never be absolute.</item>
/// <item>Each segment is percent-decoded strictly as UTF-8. Refused: malformed escapes, invalid UTF-8, NUL and other
/// control characters, a decoded <c>/</c> (<c>%2F</c>) or any backslash, <c>.</c> and <c>..</c> (also encoded,
/// <c>%2e%2e</c>), and hidden names: any segment starting with <c>.</c> (<c>.git</c>, <c>.env</c>) is never served,
/// wherever it appears in the path.</item>
/// <item>The path is resolved component by component from the root with realpath semantics: every symbolic link is
/// followed (at most 40), relative targets against the link's directory. The final real path must be the root or
/// below it; a link inside the root pointing inside the root is fine, one that leads out is refused. The hidden-name
/// rule applies to the request, not to link targets the site owner chose.</item>
/// <item>A directory serves its index file (<c>index.html</c> by default) if that is a regular file below the root;
/// there are no listings. A regular file requested with a trailing slash is refused, as the kernel would. FIFOs,
/// sockets and devices are refused (opening a FIFO blocks).</item>
/// </list>
/// <para>The root itself is made absolute and canonical (its own symbolic links resolved) once, in the constructor.
/// The check and the later open are separate steps: the root's content is trusted not to be swapped for symbolic
/// links by an adversary in between. Thread-safe.</para>
/// </remarks>
internal sealed class StaticFileResolver
{
    /// <summary>Longer raw paths are refused.</summary>
    public const int MaxPathBytes = 4096;

    private const int MaxSymbolicLinks = 40; // Linux's MAXSYMLINKS

    private readonly string _rootPrefix;

    /// <summary>Creates a resolver for the files below <paramref name="rootDirectory"/>.</summary>
    /// <param name="rootDirectory">Absolute or relative to the current directory; must exist.</param>
    /// <param name="indexFileName">The file a directory serves: a plain, non-hidden file name.</param>
    /// <exception cref="DirectoryNotFoundException">The root does not exist or is not a directory.</exception>
    public StaticFileResolver(string rootDirectory, string indexFileName = "index.html")
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        ArgumentException.ThrowIfNullOrEmpty(indexFileName);
        if (indexFileName.AsSpan().IndexOfAny('/', '\\') >= 0 || indexFileName.StartsWith('.'))
        {
            throw new ArgumentException($"'{indexFileName}' is not a plain, non-hidden file name.", nameof(indexFileName));
        }

        string absolute = Path.GetFullPath(rootDirectory);
        var pending = new List<string>(absolute.Split('/'));
        pending.Reverse();
        if (Walk("/", pending, out string real, out FileStatus status) != ResolveFailure.None || status.Kind != FileKind.Directory)
        {
            throw new DirectoryNotFoundException($"The static file root '{rootDirectory}' is not a directory.");
        }
        RootDirectory = real;
        IndexFileName = indexFileName;
        _rootPrefix = real == "/" ? "/" : real + "/";
    }

    /// <summary>The canonical root: absolute, no symbolic links, no trailing slash (except for <c>/</c>).</summary>
    public string RootDirectory { get; }

    /// <summary>The file a directory request serves.</summary>
    public string IndexFileName { get; }

    /// <summary>
    /// Resolves the raw (percent-encoded) request path below the static prefix, e.g. <c>css/site.css</c> or
    /// <c>/css/site.css</c> for a request to <c>/static/css/site.css</c> (a catch-all's raw value fits as is).
    /// </summary>
    public ResolveResult Resolve(ReadOnlySpan<byte> rawPathUnderPrefix)
    {
        ReadOnlySpan<byte> raw = rawPathUnderPrefix;
        if (raw.Length > MaxPathBytes) return Fail(ResolveFailure.InvalidPath);
        if (!raw.IsEmpty && raw[0] == (byte)'/') raw = raw[1..];
        bool trailingSlash = !raw.IsEmpty && raw[^1] == (byte)'/';
        if (trailingSlash) raw = raw[..^1];

        var pending = new List<string>();
        string requestedName = "";
        if (!raw.IsEmpty)
        {
            foreach (Range part in raw.Split((byte)'/'))
            {
                ResolveFailure failure = DecodeSegment(raw[part], out string? name);
                if (failure != ResolveFailure.None) return Fail(failure);
                pending.Add(name!);
            }
            requestedName = pending[^1];
            pending.Reverse();
        }

        ResolveFailure walked = Walk(RootDirectory, pending, out string path, out FileStatus status);
        if (walked != ResolveFailure.None) return Fail(walked);
        if (!IsBelowRoot(path)) return Fail(ResolveFailure.OutsideRoot);

        if (status.Kind == FileKind.Directory)
        {
            walked = Walk(path, [IndexFileName], out string index, out FileStatus indexStatus);
            if (walked != ResolveFailure.None) return Fail(walked == ResolveFailure.Missing ? ResolveFailure.DirectoryWithoutIndex : walked);
            if (!IsBelowRoot(index)) return Fail(ResolveFailure.OutsideRoot);
            return indexStatus.Kind switch
            {
                FileKind.Regular => new ResolveResult(new StaticFile(index, indexStatus.Length, indexStatus.LastWriteUtc, ContentTypes.ForPath(IndexFileName), isDirectoryIndex: true), ResolveFailure.None),
                FileKind.Directory => Fail(ResolveFailure.DirectoryWithoutIndex),
                _ => Fail(ResolveFailure.NotRegularFile),
            };
        }
        if (status.Kind != FileKind.Regular) return Fail(ResolveFailure.NotRegularFile);
        if (trailingSlash) return Fail(ResolveFailure.Missing);
        return new ResolveResult(new StaticFile(path, status.Length, status.LastWriteUtc, ContentTypes.ForPath(requestedName), isDirectoryIndex: false), ResolveFailure.None);
    }

    private bool IsBelowRoot(string path) =>
        path == RootDirectory || path.StartsWith(_rootPrefix, StringComparison.Ordinal);

    private static ResolveResult Fail(ResolveFailure failure) => new(null, failure);

    private static ResolveFailure DecodeSegment(ReadOnlySpan<byte> segment, out string? name)
    {
        name = null;
        if (segment.IsEmpty) return ResolveFailure.InvalidPath;
        Span<byte> buffer = segment.Length <= 512 ? stackalloc byte[segment.Length] : new byte[segment.Length];
        if (!PercentEncoding.TryDecode(segment, buffer, out int length)) return ResolveFailure.InvalidPath;
        ReadOnlySpan<byte> decoded = buffer[..length];
        foreach (byte b in decoded)
        {
            if (b < 0x20 || b == 0x7F || b == (byte)'/' || b == (byte)'\\') return ResolveFailure.InvalidPath;
        }
        if (decoded.SequenceEqual("."u8) || decoded.SequenceEqual(".."u8)) return ResolveFailure.Traversal;
        if (decoded[0] == (byte)'.') return ResolveFailure.Hidden;
        if (!System.Text.Unicode.Utf8.IsValid(decoded)) return ResolveFailure.InvalidPath;
        name = Encoding.UTF8.GetString(decoded);
        return ResolveFailure.None;
    }

    /// <summary>
    /// realpath(3) from <paramref name="start"/> (a real directory) over <paramref name="pending"/>, a stack of path
    /// components whose next one is last. Yields the real path and its lstat.
    /// </summary>
    private static ResolveFailure Walk(string start, List<string> pending, out string path, out FileStatus status)
    {
        path = start;
        status = new FileStatus(FileKind.Directory, 0, default);
        int links = 0;
        while (pending.Count > 0)
        {
            string component = pending[^1];
            pending.RemoveAt(pending.Count - 1);
            if (status.Kind != FileKind.Directory) return ResolveFailure.Missing; // ENOTDIR
            if (component.Length == 0 || component == ".") continue;
            if (component == "..")
            {
                int slash = path.LastIndexOf('/');
                path = slash <= 0 ? "/" : path[..slash];
                continue;
            }

            string next = path == "/" ? "/" + component : path + "/" + component;
            FileStatus found = FileProbe.Lstat(next);
            switch (found.Kind)
            {
                case FileKind.Missing:
                    return ResolveFailure.Missing;
                case FileKind.SymbolicLink:
                    string? target = new FileInfo(next).LinkTarget;
                    if (++links > MaxSymbolicLinks || string.IsNullOrEmpty(target)) return ResolveFailure.Missing;
                    if (target[0] == '/') path = "/";
                    string[] parts = target.Split('/');
                    for (int i = parts.Length - 1; i >= 0; i--) pending.Add(parts[i]);
                    break;
                default:
                    path = next;
                    status = found;
                    break;
            }
        }
        return ResolveFailure.None;
    }
}
