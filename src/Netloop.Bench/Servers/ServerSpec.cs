using Netloop.Bench.Cases;

namespace Netloop.Bench.Servers;

/// <summary>A server <c>netloop bench</c> can measure.</summary>
/// <param name="Name">What <c>--servers</c> and the report call it (<c>epoll</c>, <c>kestrel</c>).</param>
/// <param name="Family">The program behind it.</param>
/// <param name="Description">One line for the report's server table.</param>
internal sealed record ServerSpec(string Name, ServerFamily Family, string Description)
{
    /// <summary>Whether this server is measured in cases of <paramref name="protocol"/>: Kestrel and nginx speak HTTP only.</summary>
    public bool Speaks(LoadProtocol protocol) => Family == ServerFamily.Netloop || protocol == LoadProtocol.Http;

    /// <summary>Whether several processes of this server can share one port (SO_REUSEPORT), which idle runs beyond one process's file limit need.</summary>
    public bool CanShareAPort => Family == ServerFamily.Netloop;
}
