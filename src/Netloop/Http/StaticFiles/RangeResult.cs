namespace Netloop.Http.StaticFiles;

/// <summary>The result of <see cref="ByteRanges.ParseRange"/>: the kind, and for a partial answer the byte range.</summary>
internal readonly record struct RangeResult
{
    private RangeResult(RangeResultKind kind, long offset, long length)
    {
        Kind = kind;
        Offset = offset;
        Length = length;
    }

    /// <summary>Serve the whole file (the default value).</summary>
    public static RangeResult Full => default;

    /// <summary>Answer 416.</summary>
    public static RangeResult Unsatisfiable { get; } = new(RangeResultKind.Unsatisfiable, 0, 0);

    /// <summary>Full, Partial or Unsatisfiable.</summary>
    public RangeResultKind Kind { get; }

    /// <summary>For Partial: the first byte to send.</summary>
    public long Offset { get; }

    /// <summary>For Partial: how many bytes to send (at least 1).</summary>
    public long Length { get; }

    /// <summary>For Partial: the last byte to send, inclusive, as Content-Range writes it.</summary>
    public long Last => Offset + Length - 1;

    /// <summary>A partial answer of <paramref name="length"/> bytes from <paramref name="offset"/>.</summary>
    public static RangeResult Partial(long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        return new RangeResult(RangeResultKind.Partial, offset, length);
    }
}
