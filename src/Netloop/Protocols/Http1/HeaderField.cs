using System.Text;

namespace Netloop.Protocols.Http1;

/// <summary>One field line of a request head, as offsets into the span the parser was given.</summary>
/// <param name="NameRange">The field name (never empty, never with whitespace).</param>
/// <param name="ValueRange">The field value without leading or trailing whitespace; may be empty.</param>
internal readonly record struct HeaderField(ByteRange NameRange, ByteRange ValueRange)
{
    /// <summary>Whether this field's name is <paramref name="name"/>, compared ASCII case-insensitively.</summary>
    public bool NameEquals(ReadOnlySpan<byte> data, ReadOnlySpan<byte> name) => Ascii.EqualsIgnoreCase(NameRange.Of(data), name);

    /// <summary>The field name's bytes.</summary>
    public ReadOnlySpan<byte> Name(ReadOnlySpan<byte> data) => NameRange.Of(data);

    /// <summary>The field value's bytes.</summary>
    public ReadOnlySpan<byte> Value(ReadOnlySpan<byte> data) => ValueRange.Of(data);
}
