namespace Netloop.Http.Routing;

/// <summary>
/// Where a path ends in the trie: the handlers per method for every template that reaches this node, and the
/// <c>Allow</c> value a 405 answer from here would carry.
/// </summary>
internal sealed class RouteEndpoint<THandler>
{
    private RouteEntry<THandler>[] _entries = [];

    public RouteEntry<THandler>[] Entries => _entries;

    public AllowHeader Allow { get; private set; } = AllowHeader.Build([]);

    public void Add(RouteEntry<THandler> entry)
    {
        _entries = [.. _entries, entry];
        Allow = AllowHeader.Build(_entries.Where(e => e.Method is not null).Select(e => e.Method!));
    }

    /// <summary>
    /// The entry for <paramref name="method"/>, compared byte for byte (methods are case-sensitive, RFC 9110 §9.1);
    /// a HEAD request without its own route takes the GET route (RFC 9110 §9.3.2); a route for any method comes last.
    /// </summary>
    public RouteEntry<THandler>? Find(ReadOnlySpan<byte> method, bool isHead)
    {
        RouteEntry<THandler>? get = null;
        RouteEntry<THandler>? any = null;
        foreach (RouteEntry<THandler> entry in _entries)
        {
            if (entry.Method is null) any = entry;
            else if (method.SequenceEqual(entry.MethodBytes)) return entry;
            else if (isHead && entry.Method == "GET") get = entry;
        }
        return get ?? any;
    }
}
