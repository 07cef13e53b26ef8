namespace Netloop.Bench.Servers;

/// <summary>Whether a server can be measured on this machine, and if not, why (for the report's server table).</summary>
/// <param name="Available">True when it can be started.</param>
/// <param name="Status"><c>ready</c>, <c>not installed</c>, <c>did not build: …</c>.</param>
/// <param name="Version">The peer's version when known (<c>nginx/1.22.1</c>).</param>
internal sealed record ServerAvailability(bool Available, string Status, string? Version = null)
{
    /// <summary>A server that can be started.</summary>
    public static ServerAvailability Ready(string? version = null) => new(true, "ready", version);

    /// <summary>A server that cannot, with the reason.</summary>
    public static ServerAvailability Missing(string reason) => new(false, reason);
}
