using System.Numerics;
using System.Diagnostics.CodeAnalysis;

namespace Netloop.Http.Routing;

/// <summary>
/// The parameter values of a matched route, such as <c>id</c> in <c>/users/{id}</c>.
/// </summary>
/// <remarks>
/// <para>At match time only the raw (still percent-encoded) bytes of each captured segment are copied into a buffer
/// this object owns, so the values stay valid after the request's input buffer is reused. A value is decoded to a
/// string on first access and cached: percent escapes are decoded, a malformed escape (<c>%zz</c>) is kept as is,
/// and bytes that are not valid UTF-8 become U+FFFD. <c>+</c> is not a space in a path. A catch-all value keeps its
/// inner <c>/</c> and a trailing <c>/</c>; an encoded <c>%2F</c> decodes to <c>/</c> too, so code that splits a
/// catch-all (a static file lookup) should use <see cref="TryGetRawValue"/> instead.</para>
/// <para>Names compare ignoring case. Reuse: pass one instance per connection to
/// <see cref="Router{THandler}.Match(ReadOnlySpan{byte}, ReadOnlySpan{byte}, RouteValues)"/>; each match overwrites
/// it, so a request's values live until the next match into the same instance. Not thread-safe.</para>
/// </remarks>
public sealed class RouteValues
{
    private readonly bool _readOnly;
    private string[] _names = [];
    private byte[] _raw = [];
    private int[] _bounds = [];
    private string?[] _decoded = [];
    private int _count;

    /// <summary>Creates an empty, reusable instance.</summary>
    public RouteValues()
    {
    }

    private RouteValues(bool readOnly) => _readOnly = readOnly;

    /// <summary>The shared empty instance that routes without parameters return; it can never be filled.</summary>
    public static RouteValues Empty { get; } = new(readOnly: true);

    /// <summary>How many values the matched route captured.</summary>
    public int Count => _count;

    internal bool IsReadOnly => _readOnly;

    /// <summary>The decoded value of parameter <paramref name="name"/>, or null if the route has no such parameter.</summary>
    public string? this[string name] => TryGetValue(name, out string? value) ? value : null;

    /// <summary>Gets the decoded value of parameter <paramref name="name"/>; false if the route has no such parameter.</summary>
    public bool TryGetValue(string name, [NotNullWhen(true)] out string? value)
    {
        int index = IndexOf(name);
        value = index < 0 ? null : GetValue(index);
        return index >= 0;
    }

    /// <summary>Gets the raw, still percent-encoded bytes of parameter <paramref name="name"/>.</summary>
    public bool TryGetRawValue(string name, out ReadOnlySpan<byte> raw)
    {
        int index = IndexOf(name);
        raw = index < 0 ? default : GetRawValue(index);
        return index >= 0;
    }

    /// <summary>The name of the value at <paramref name="index"/> (template order).</summary>
    public string GetName(int index)
    {
        CheckIndex(index);
        return _names[index];
    }

    /// <summary>The decoded value at <paramref name="index"/> (template order).</summary>
    public string GetValue(int index)
    {
        CheckIndex(index);
        return _decoded[index] ??= PercentEncoding.DecodeToString(GetRawValue(index));
    }

    /// <summary>The raw, still percent-encoded bytes of the value at <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> GetRawValue(int index)
    {
        CheckIndex(index);
        return _raw.AsSpan(_bounds[2 * index], _bounds[(2 * index) + 1]);
    }

    /// <summary>Forgets the current values (the buffers are kept for reuse).</summary>
    public void Clear()
    {
        if (_readOnly) return;
        Array.Clear(_decoded, 0, _count);
        _count = 0;
        _names = [];
    }

    /// <summary>Copies the captured ranges of <paramref name="path"/>: (start, length) pairs in <paramref name="captures"/>.</summary>
    internal void Set(ReadOnlySpan<byte> path, ReadOnlySpan<int> captures, string[] names)
    {
        Clear();
        int count = names.Length;
        int total = 0;
        for (int i = 0; i < count; i++) total += captures[(2 * i) + 1];
        if (_raw.Length < total) _raw = new byte[Math.Max(64, (int)BitOperations.RoundUpToPowerOf2((uint)total))];
        if (_bounds.Length < 2 * count) _bounds = new int[2 * RouteTemplate.MaxParameters];
        if (_decoded.Length < count) _decoded = new string?[RouteTemplate.MaxParameters];

        int at = 0;
        for (int i = 0; i < count; i++)
        {
            int start = captures[2 * i];
            int length = captures[(2 * i) + 1];
            path.Slice(start, length).CopyTo(_raw.AsSpan(at));
            _bounds[2 * i] = at;
            _bounds[(2 * i) + 1] = length;
            at += length;
        }
        _names = names;
        _count = count;
    }

    private int IndexOf(string name)
    {
        for (int i = 0; i < _count; i++)
        {
            if (string.Equals(_names[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        }
        return -1;
    }

    private void CheckIndex(int index) => ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
}
