using System.Buffers;
using System.Collections;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Netloop.Http;

/// <summary>
/// The request's header fields, by name (ASCII case-insensitive) and in arrival order. Values are decoded as Latin-1
/// (RFC 9110 §5.5) when read; nothing is decoded until asked for.
/// </summary>
public sealed class RequestHeaders : IEnumerable<KeyValuePair<string, string>>
{
    private readonly RequestHead _head;

    internal RequestHeaders(RequestHead head) => _head = head;

    /// <summary>Number of field lines, repeats included.</summary>
    public int Count => _head.HeaderCount;

    /// <summary>
    /// The field's value, or null when absent. A name sent on several field lines gives their values joined with
    /// <c>", "</c> in arrival order, the combination RFC 9110 §5.3 allows (for a field that is a list, it means the
    /// same). Use <see cref="GetValues"/> to get the lines apart (a Cookie or Set-Cookie value may contain commas).
    /// </summary>
    public string? this[string name]
    {
        get
        {
            var values = GetValues(name);
            return values.Count switch
            {
                0 => null,
                1 => values[0],
                _ => string.Join(", ", values.ToArray()!),
            };
        }
    }

    /// <summary>
    /// Every value of the field named <paramref name="name"/>, one per field line in arrival order; empty when absent.
    /// A name that appears once costs only its value string (no array).
    /// </summary>
    public StringValues GetValues(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> ascii = name.Length <= 256 ? stackalloc byte[name.Length] : new byte[name.Length];
        if (Ascii.FromUtf16(name, ascii, out _) != OperationStatus.Done) return StringValues.Empty;
        int first = _head.IndexOfHeader(ascii, 0);
        if (first < 0) return StringValues.Empty;
        int second = _head.IndexOfHeader(ascii, first + 1);
        if (second < 0) return new StringValues(Encoding.Latin1.GetString(_head.HeaderValue(first)));
        var all = new List<string> { Encoding.Latin1.GetString(_head.HeaderValue(first)) };
        for (int i = second; i >= 0; i = _head.IndexOfHeader(ascii, i + 1)) all.Add(Encoding.Latin1.GetString(_head.HeaderValue(i)));
        return new StringValues([.. all]);
    }

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
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> ascii = name.Length <= 256 ? stackalloc byte[name.Length] : new byte[name.Length];
        return Ascii.FromUtf16(name, ascii, out _) == OperationStatus.Done && _head.IndexOfHeader(ascii, 0) >= 0;
    }

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

    /// <summary>Raw values of every field named <paramref name="asciiName"/>, for parsers that need each line (cookies).</summary>
    internal RawFieldEnumerator RawValues(ReadOnlySpan<byte> asciiName) => new(_head, asciiName);

    /// <summary>Walks the field lines of one name without allocating.</summary>
    internal ref struct RawFieldEnumerator(RequestHead head, ReadOnlySpan<byte> name)
    {
        private readonly ReadOnlySpan<byte> _name = name;
        private int _index = -1;

        public readonly ReadOnlySpan<byte> Current => head.HeaderValue(_index);

        public bool MoveNext()
        {
            _index = head.IndexOfHeader(_name, _index + 1);
            return _index >= 0;
        }

        public readonly RawFieldEnumerator GetEnumerator() => this;
    }
}
