namespace Netloop.Bench.Servers;

/// <summary>Every server <c>netloop bench</c> knows, in report order, and the <c>--servers</c> parser.</summary>
internal static class ServerCatalog
{
    /// <summary>The Kestrel peer's name.</summary>
    public const string Kestrel = "kestrel";

    /// <summary>nginx's name.</summary>
    public const string Nginx = "nginx";

    /// <summary>The C reference servers' name (see <see cref="ReferenceServers"/>).</summary>
    public const string Reference = "c";

    /// <summary>Netloop's five modes, then the peers, then the C reference (the limit).</summary>
    public static IReadOnlyList<ServerSpec> All { get; } =
    [
        new("epoll", ServerFamily.Netloop, "netloop serve --mode epoll: edge-triggered epoll event loop"),
        new("poll", ServerFamily.Netloop, "netloop serve --mode poll: the same reactor on poll(2)"),
        new("serial", ServerFamily.Netloop, "netloop serve --mode serial: one client at a time (the floor)"),
        new("threads", ServerFamily.Netloop, "netloop serve --mode threads: a blocking thread per connection"),
        new("sockets", ServerFamily.Netloop, "netloop serve --mode sockets: .NET async Socket API"),
        new(Kestrel, ServerFamily.Kestrel, "ASP.NET Core Kestrel, minimal API (bench/peers/kestrel): HTTP/1.1, and h2c on an HTTP/2-only endpoint"),
        new(Nginx, ServerFamily.Nginx, "nginx, 1 worker, `return 200` (config generated per run): HTTP/1.1, and h2c on a `listen … http2` port"),
        new(Reference, ServerFamily.Reference, "minimal C epoll servers (bench/limit: limit-http, limit-echo): the limit, no parsing, no HTTP/2"),
    ];

    /// <summary>The names, comma-separated, for help and error messages.</summary>
    public static string Names { get; } = string.Join(", ", All.Select(s => s.Name));

    /// <summary>Parses a comma-separated list of server names (or <c>all</c>); the result keeps catalog order without duplicates.</summary>
    public static bool TryParse(string list, out IReadOnlyList<ServerSpec> servers, out string? error)
    {
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string raw in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string name = raw.ToLowerInvariant();
            if (name == "all")
            {
                foreach (var spec in All) chosen.Add(spec.Name);
                continue;
            }
            if (!All.Any(s => s.Name == name))
            {
                servers = [];
                error = $"unknown server '{raw}' (expected {Names})";
                return false;
            }
            chosen.Add(name);
        }
        if (chosen.Count == 0)
        {
            servers = [];
            error = $"no server given (expected {Names})";
            return false;
        }
        servers = All.Where(s => chosen.Contains(s.Name)).ToList();
        error = null;
        return true;
    }
}
