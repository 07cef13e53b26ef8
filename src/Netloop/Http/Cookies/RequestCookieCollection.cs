using System.Collections;
using System.Text;

namespace Netloop.Http;

/// <summary>
/// The request's cookies (RFC 6265 §5.4), parsed from its Cookie field lines on first use. Names are case-sensitive.
/// Parsing is as lenient as browsers are and never throws: pairs are split on <c>;</c>, spaces and tabs around names
/// and values are trimmed, one pair of double quotes around a value is removed, a pair without <c>=</c> or with an
/// empty name is skipped, and bytes are read as UTF-8 (invalid sequences become U+FFFD). Values are not
/// percent-decoded. When a name appears twice the first wins (RFC 6265 §5.4 sends the most specific path first).
/// </summary>
public sealed class RequestCookieCollection : IEnumerable<KeyValuePair<string, string>>
{
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    internal RequestCookieCollection()
    {
    }

    /// <summary>Number of distinct cookie names.</summary>
    public int Count => _cookies.Count;

    /// <summary>The cookie names.</summary>
    public ICollection<string> Keys => _cookies.Keys;

    /// <summary>The value of cookie <paramref name="key"/>, or null when the request has none by that name.</summary>
    public string? this[string key] => _cookies.TryGetValue(key, out var value) ? value : null;

    /// <summary>True when the request has a cookie named <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => _cookies.ContainsKey(key);

    /// <summary>Finds cookie <paramref name="key"/>.</summary>
    public bool TryGetValue(string key, out string? value) => _cookies.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _cookies.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Replaces the contents with the cookies of <paramref name="headers"/>' Cookie fields.</summary>
    internal void Load(RequestHeaders headers)
    {
        _cookies.Clear();
        foreach (ReadOnlySpan<byte> field in headers.RawValues("cookie"u8)) Parse(field);
    }

    private void Parse(ReadOnlySpan<byte> field)
    {
        while (!field.IsEmpty)
        {
            int semicolon = field.IndexOf((byte)';');
            ReadOnlySpan<byte> pair = semicolon < 0 ? field : field[..semicolon];
            field = semicolon < 0 ? default : field[(semicolon + 1)..];
            int equals = pair.IndexOf((byte)'=');
            if (equals < 0) continue;
            ReadOnlySpan<byte> name = pair[..equals].Trim(" \t"u8);
            ReadOnlySpan<byte> value = pair[(equals + 1)..].Trim(" \t"u8);
            if (name.IsEmpty) continue;
            if (value.Length >= 2 && value[0] == (byte)'"' && value[^1] == (byte)'"') value = value[1..^1];
            _cookies.TryAdd(Encoding.UTF8.GetString(name), Encoding.UTF8.GetString(value));
        }
    }
}
