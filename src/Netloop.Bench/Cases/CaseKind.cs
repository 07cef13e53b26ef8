namespace Netloop.Bench.Cases;

/// <summary>How a case is measured, which decides how a server is started for it and what is reported.</summary>
internal enum CaseKind
{
    /// <summary>Closed-loop load for <c>--duration</c>: requests/s, latency, server CPU per request.</summary>
    Throughput,

    /// <summary>N idle keep-alive connections on a fresh server: RSS bytes per connection.</summary>
    Idle,

    /// <summary>Constant load for <c>--soak-duration</c> on a fresh server: the RSS curve and a steady/growing verdict.</summary>
    Soak,

    /// <summary>Fresh spawns of a server: milliseconds from the spawn to its first answer, and its RSS then (see <see cref="Running.StartupProbe"/>).</summary>
    Startup,
}
