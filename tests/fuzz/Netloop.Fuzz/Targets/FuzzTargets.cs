namespace Netloop.Fuzz;

/// <summary>Every fuzz target, by name.</summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new RequestHeadTarget(),
        new ChunkedTarget(),
        new HpackTarget(),
        new Http2FramesTarget(),
        new CookiesTarget(),
        new RangeTarget(),
        new PercentDecodingTarget(),
        new RoutingTarget(),
        new ConnectionTarget(ConnectionKind.Http1),
        new ConnectionTarget(ConnectionKind.Http2),
        new ConnectionTarget(ConnectionKind.Any),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
