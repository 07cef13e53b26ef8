using System.Buffers;
using System.Collections;
using System.Text;

namespace Netloop.Http;

/// <summary>The request's header fields, by name (case-insensitive) and in arrival order. Values are decoded as Latin-1 (RFC 9110 §5.5) when read.</summary>
public sealed class RequestHeaders : IEnumerable<KeyValuePair<string, string>>
{
    private readonly RequestHead _head;

    internal RequestHeaders(RequestHead head) => _head = head;

    /// <summary>Number of fields, repeats included.</summary>
    public int Count => _head.HeaderCount;

    /// <summary>The first field with this name, or null. Several fields of one name are available through enumeration.</summary>
    public string? this[string name] => TryGetValue(name, out var value) ? value : null;

    /// <summary>Finds the first field named <paramref name="name"/>.</summary>
    public bool TryGetValue(string name, out string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> ascii = name.Length <= 256 ? stackalloc byte[name.Length] : new byte[name.Length];
        if (Ascii.FromUtf16(name, ascii, out _) == OperationStatus.Done && _head.TryGetHeader(ascii, out var bytes))
        {
            value = Encoding.Latin1.GetString(bytes);
            return true;
        }
        value = "";
        return false;
    }

    /// <summary>True when a field with this name is present.</summary>
    public bool Contains(string name) => TryGetValue(name, out _);

    /// <summary>The raw bytes of the first field with this name (no allocation); valid for the request's lifetime.</summary>
    public bool TryGetRaw(ReadOnlySpan<byte> asciiName, out ReadOnlySpan<byte> value) => _head.TryGetHeader(asciiName, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (int i = 0; i < _head.HeaderCount; i++)
        {
            yield return new(Encoding.Latin1.GetString(_head.HeaderName(i)), Encoding.Latin1.GetString(_head.HeaderValue(i)));
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
