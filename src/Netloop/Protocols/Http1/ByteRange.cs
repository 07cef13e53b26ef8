namespace Netloop.Protocols.Http1;

/// <summary>
/// A slice of the span a parser was given, as offsets: the parser stores no spans, so its results stay valid however
/// the caller's buffer is re-offered, as long as the bytes are at the same offsets. Slice with <see cref="Of"/>
/// (or <c>data[range.ToRange()]</c>).
/// </summary>
/// <param name="Start">Offset of the first byte.</param>
/// <param name="Length">Number of bytes.</param>
internal readonly record struct ByteRange(int Start, int Length)
{
    /// <summary>Offset just past the last byte.</summary>
    public int End => Start + Length;

    /// <summary>Whether the range holds no bytes.</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>The bytes of <paramref name="data"/> this range covers.</summary>
    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> data) => data.Slice(Start, Length);

    /// <summary>The same slice as a <see cref="Range"/>.</summary>
    public Range ToRange() => new(Start, Start + Length);
}
