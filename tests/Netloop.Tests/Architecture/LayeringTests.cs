using Netloop.Server;

namespace Netloop.Tests.Architecture;

/// <summary>
/// The layers of docs/ARCHITECTURE.md, checked on the compiled Netloop assembly: a namespace uses only its own types and
/// those of layers below it. A new namespace fails here until it is given a layer.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Namespace (and its sub-namespaces) → layer; higher layers may use lower ones, never the reverse.</summary>
    private static readonly (string Namespace, int Layer)[] s_layers =
    [
        ("Netloop", 0),            // NetloopException and its kin: the errors every layer throws
        ("Netloop.Native", 0),     // libc bindings
        ("Netloop.Buffers", 1),    // pinned pooled slabs
        ("Netloop.Reactor", 2),    // event loop, pollers, handle table, timer wheel
        ("Netloop.Transport", 3),  // connections, listener, accept; the connection-facing abstractions (IConnection, IConnectionProtocol)
        ("Netloop.Client", 4),     // outbound loops (the load generator's engine)
        ("Netloop.Http", 4),       // HttpContext, the exchange seam a protocol implements, routing, static files
        ("Netloop.Protocols", 5),  // wire protocols on IConnection: echo, HTTP/1.1 (fills Http's exchange)
        ("Netloop.Server", 6),     // NetloopServer, the app and builder, the engine that starts the loops
        ("Netloop.Hosting", 6),    // the same layer in a namespace of its own: Microsoft.Extensions glue (configuration, Generic Host)
    ];

    /// <summary>
    /// Server and Hosting are one layer in two namespaces: the builder (Server) reads configuration through Hosting, and
    /// the Generic Host service (Hosting) runs the app (Server). Client and Http, also side by side, stay apart.
    /// </summary>
    private const int HostLayer = 6;

    private static readonly Lazy<IReadOnlyList<(string User, string Used)>> s_edges =
        new(() => TypeReferenceGraph.Read(typeof(NetloopServer).Assembly.Location));

    [Fact]
    public void No_layer_uses_a_layer_above_it_or_beside_it()
    {
        var violations = s_edges.Value
            .Where(e => IsNetloop(e.User) && IsNetloop(e.Used))
            .Where(e => !Allowed(Group(e.User), Group(e.Used)))
            .Select(e => $"{e.User} ({Group(e.User).Namespace}) uses {e.Used} ({Group(e.Used).Namespace})")
            .ToList();
        Assert.True(violations.Count == 0, "layering violated:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Every_namespace_of_the_library_has_a_layer()
    {
        var unassigned = s_edges.Value.SelectMany(e => new[] { e.User, e.Used })
            .Where(IsNetloop).Select(Namespace).Distinct()
            .Where(ns => !s_layers.Any(l => l.Namespace == ns || ns.StartsWith(l.Namespace + ".", StringComparison.Ordinal) && l.Namespace != "Netloop"))
            .Where(ns => ns != "Netloop")
            .ToList();
        Assert.True(unassigned.Count == 0, "give these namespaces a layer in LayeringTests and docs/ARCHITECTURE.md: " + string.Join(", ", unassigned));
    }

    [Fact]
    public void The_reader_sees_the_references_the_layers_are_made_of()
    {
        // Guards the check above against passing because it reads nothing: known edges of every kind must be found.
        var edges = s_edges.Value.ToHashSet();
        Assert.Contains(("Netloop.Server.ReactorEngine", "Netloop.Transport.LoopTransport"), edges);        // new, field
        Assert.Contains(("Netloop.Transport.Connection", "Netloop.Transport.IConnectionProtocol"), edges);   // interface call
        Assert.Contains(("Netloop.Protocols.Http1.Http1Connection", "Netloop.Http.HttpContext"), edges);       // a protocol fills the app's context
        Assert.Contains(("Netloop.Transport.Connection", "Netloop.Reactor.EventLoop"), edges);
        Assert.Contains(("Netloop.Reactor.EventLoop", "Netloop.Buffers.BufferPool"), edges);
        Assert.True(edges.Count > 300, $"only {edges.Count} edges read");
    }

    [Fact]
    public void The_library_references_no_assembly_of_the_experiment_the_bench_or_the_charts()
    {
        var referenced = typeof(NetloopServer).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        var foreign = referenced.Where(name => !(name.StartsWith("System", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal)
            || name == "netstandard")).ToList();
        Assert.True(foreign.Count == 0, "the product library references " + string.Join(", ", foreign));
    }

    private static bool Allowed((string Namespace, int Layer) user, (string Namespace, int Layer) used) =>
        user.Namespace == used.Namespace || used.Layer < user.Layer || (user.Layer == HostLayer && used.Layer == HostLayer);

    private static bool IsNetloop(string type) => type.StartsWith("Netloop.", StringComparison.Ordinal);

    private static string Namespace(string type) => type[..type.LastIndexOf('.')];

    /// <summary>The most specific layer entry whose namespace holds <paramref name="type"/>.</summary>
    private static (string Namespace, int Layer) Group(string type)
    {
        string ns = Namespace(type);
        return s_layers
            .Where(l => ns == l.Namespace || ns.StartsWith(l.Namespace + ".", StringComparison.Ordinal))
            .OrderByDescending(l => l.Namespace.Length)
            .First();
    }
}
