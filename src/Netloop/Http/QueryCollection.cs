using System.Collections;

namespace Netloop.Http;

/// <summary>Query parameters (application/x-www-form-urlencoded): names and values percent-decoded, '+' as space, repeats kept in order.</summary>
public sealed class QueryCollection : IEnumerable<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _pairs;

    private QueryCollection(List<KeyValuePair<string, string>> pairs) => _pairs = pairs;

    /// <summary>Number of parameters, repeats included.</summary>
    public int Count => _pairs.Count;

    /// <summary>The first value of <paramref name="name"/>, or null.</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var pair in _pairs)
            {
                if (pair.Key == name) return pair.Value;
            }
            return null;
        }
    }

    /// <summary>Every value of <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<string> GetAll(string name) => _pairs.Where(p => p.Key == name).Select(p => p.Value).ToList();

    /// <summary>Parses a query string (without the '?').</summary>
    public static QueryCollection Parse(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            string name = eq < 0 ? part : part[..eq];
            string value = eq < 0 ? "" : part[(eq + 1)..];
            pairs.Add(new(DecodeForm(name), DecodeForm(value)));
        }
        return new QueryCollection(pairs);
    }

    // Form encoding (WHATWG application/x-www-form-urlencoded): '+' is a space, then percent-decoding.
    private static string DecodeForm(string raw) =>
        Routing.PercentEncoding.DecodeToString(System.Text.Encoding.UTF8.GetBytes(raw.Replace('+', ' ')));

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _pairs.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
