using System.Collections.Concurrent;

namespace KeyValue;

/// <summary>The data every connection shares. Connections run on several event loops at once, hence the concurrent dictionary.</summary>
internal sealed class KeyValueStore
{
    private readonly ConcurrentDictionary<string, string> _values = new(StringComparer.Ordinal);

    public void Set(string key, string value) => _values[key] = value;

    public bool TryGet(string key, out string? value) => _values.TryGetValue(key, out value);

    public bool Delete(string key) => _values.TryRemove(key, out _);
}
