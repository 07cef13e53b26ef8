using System.Collections;

namespace Netloop.Http;

/// <summary>
/// Headers the application sets on a response. Date, Server, Content-Length, Transfer-Encoding and Connection are the
/// server's and are written by it; setting them here is refused with an exception, so a response cannot frame itself wrongly.
/// </summary>
public sealed class ResponseHeaders : IEnumerable<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _fields = new();

    /// <summary>Number of fields set.</summary>
    public int Count => _fields.Count;

    /// <summary>Gets the first value of a field, or replaces every field of that name with one value (null removes it).</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var field in _fields)
            {
                if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase)) return field.Value;
            }
            return null;
        }
        set
        {
            Remove(name);
            if (value is not null) Add(name, value);
        }
    }

    /// <summary>Adds a field, keeping others of the same name (Set-Cookie, say).</summary>
    public void Add(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (IsServerOwned(name)) throw new InvalidOperationException($"the server writes the {name} header itself");
        if (!HttpCharacters.IsToken(name)) throw new ArgumentException($"'{name}' is not a valid header name", nameof(name));
        if (!HttpCharacters.IsSendableFieldValue(value)) throw new ArgumentException($"the value of {name} has a character a header cannot carry", nameof(value));
        _fields.Add(new(name, value));
    }

    /// <summary>Removes every field with this name; returns whether any was there.</summary>
    public bool Remove(string name) => _fields.RemoveAll(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)) > 0;

    /// <summary>True when a field with this name is set.</summary>
    public bool Contains(string name) => this[name] is not null;

    internal void Clear() => _fields.Clear();

    internal List<KeyValuePair<string, string>> Fields => _fields;

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static bool IsServerOwned(string name) =>
        name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Date", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Server", StringComparison.OrdinalIgnoreCase);
}
