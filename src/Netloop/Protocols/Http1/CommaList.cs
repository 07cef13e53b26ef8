using Netloop.Http;

namespace Netloop.Protocols.Http1;

/// <summary>
/// The elements of a comma-separated field value (RFC 9110 §5.6.1), each without surrounding OWS, empty ones skipped
/// as the RFC asks. Quoted strings are not understood: good enough for the fields the parser reads (Connection,
/// Expect, Transfer-Encoding, Content-Length), whose accepted values contain no quotes. Use with <c>foreach</c>.
/// </summary>
internal ref struct CommaList
{
    private ReadOnlySpan<byte> _rest;
    private bool _done;

    public CommaList(ReadOnlySpan<byte> value)
    {
        _rest = value;
        _done = false;
        Current = default;
    }

    public ReadOnlySpan<byte> Current { get; private set; }

    public readonly CommaList GetEnumerator() => this;

    public bool MoveNext()
    {
        while (!_done)
        {
            int comma = _rest.IndexOf((byte)',');
            ReadOnlySpan<byte> element;
            if (comma < 0)
            {
                element = _rest;
                _done = true;
            }
            else
            {
                element = _rest[..comma];
                _rest = _rest[(comma + 1)..];
            }
            element = HttpCharacters.TrimWhitespace(element);
            if (!element.IsEmpty)
            {
                Current = element;
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether any element equals <paramref name="token"/>, ASCII case-insensitively.</summary>
    public static bool Contains(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (var element in new CommaList(value))
        {
            if (System.Text.Ascii.EqualsIgnoreCase(element, token)) return true;
        }
        return false;
    }
}
