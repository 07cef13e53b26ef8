namespace Netloop.Http.StaticFiles;

/// <summary>How to answer a request that may carry a Range header.</summary>
internal enum RangeResultKind
{
    /// <summary>200 with the whole representation: no Range, or one that is ignored.</summary>
    Full,

    /// <summary>206 Partial Content with one range and a <c>Content-Range: bytes first-last/length</c>.</summary>
    Partial,

    /// <summary>416 Range Not Satisfiable with <c>Content-Range: bytes */length</c>.</summary>
    Unsatisfiable,
}
