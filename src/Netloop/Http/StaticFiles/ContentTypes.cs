using System.Collections.Frozen;

namespace Netloop.Http.StaticFiles;

/// <summary>
/// Media types by file extension for the common web formats. Text types (text/*, JavaScript, JSON, XML) carry
/// <c>; charset=utf-8</c>; anything unknown is <see cref="Default"/>, which browsers download rather than render.
/// </summary>
internal static class ContentTypes
{
    /// <summary>The type for unknown extensions: <c>application/octet-stream</c>.</summary>
    public const string Default = "application/octet-stream";

    private const string Utf8 = "; charset=utf-8";

    private static readonly FrozenDictionary<string, string> ByExtension = new Dictionary<string, string>
    {
        ["html"] = "text/html" + Utf8,
        ["htm"] = "text/html" + Utf8,
        ["css"] = "text/css" + Utf8,
        // RFC 9239: text/javascript is the one JavaScript type.
        ["js"] = "text/javascript" + Utf8,
        ["mjs"] = "text/javascript" + Utf8,
        ["cjs"] = "text/javascript" + Utf8,
        ["json"] = "application/json" + Utf8,
        ["map"] = "application/json" + Utf8,
        ["webmanifest"] = "application/manifest+json" + Utf8,
        ["txt"] = "text/plain" + Utf8,
        ["md"] = "text/markdown" + Utf8,
        ["csv"] = "text/csv" + Utf8,
        ["ics"] = "text/calendar" + Utf8,
        ["xml"] = "application/xml" + Utf8,
        ["svg"] = "image/svg+xml",
        ["png"] = "image/png",
        ["jpg"] = "image/jpeg",
        ["jpeg"] = "image/jpeg",
        ["gif"] = "image/gif",
        ["webp"] = "image/webp",
        ["avif"] = "image/avif",
        ["bmp"] = "image/bmp",
        ["ico"] = "image/x-icon",
        ["wasm"] = "application/wasm",
        ["pdf"] = "application/pdf",
        ["woff"] = "font/woff",
        ["woff2"] = "font/woff2",
        ["ttf"] = "font/ttf",
        ["otf"] = "font/otf",
        ["mp4"] = "video/mp4",
        ["webm"] = "video/webm",
        ["ogv"] = "video/ogg",
        ["mp3"] = "audio/mpeg",
        ["ogg"] = "audio/ogg",
        ["oga"] = "audio/ogg",
        ["wav"] = "audio/wav",
        ["m4a"] = "audio/mp4",
        ["flac"] = "audio/flac",
        ["zip"] = "application/zip",
        ["gz"] = "application/gzip",
        ["tar"] = "application/x-tar",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> BySpan =
        ByExtension.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The media type for an extension, with or without its dot (<c>html</c>, <c>.HTML</c>). Allocates nothing.</summary>
    public static string For(ReadOnlySpan<char> extension)
    {
        if (extension.StartsWith('.')) extension = extension[1..];
        return !extension.IsEmpty && BySpan.TryGetValue(extension, out string? type) ? type : Default;
    }

    /// <summary>The media type for an extension; see <see cref="For(ReadOnlySpan{char})"/>.</summary>
    public static string For(string extension) => For(extension.AsSpan());

    /// <summary>
    /// The media type for a file name or path, by the text after the last dot of its last segment
    /// (<c>site.min.js</c>, <c>/a/b.CSS</c>); no extension (<c>README</c>, <c>.bashrc</c>) gives <see cref="Default"/>.
    /// Allocates nothing.
    /// </summary>
    public static string ForPath(ReadOnlySpan<char> fileNameOrPath)
    {
        ReadOnlySpan<char> name = fileNameOrPath[(fileNameOrPath.LastIndexOfAny('/', '\\') + 1)..];
        int dot = name.LastIndexOf('.');
        return dot > 0 ? For(name[(dot + 1)..]) : Default;
    }

    /// <summary>The media type for a file name or path; see <see cref="ForPath(ReadOnlySpan{char})"/>.</summary>
    public static string ForPath(string fileNameOrPath) => ForPath(fileNameOrPath.AsSpan());
}
