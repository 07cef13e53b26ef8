using Netloop.Bench.Cases;

namespace Netloop.Bench.Servers;

/// <summary>A server <c>netloop bench</c> can measure.</summary>
/// <param name="Name">What <c>--servers</c> and the report call it (<c>epoll</c>, <c>kestrel</c>).</param>
/// <param name="Family">The program behind it.</param>
/// <param name="Description">One line for the report's server table.</param>
internal sealed record ServerSpec(string Name, ServerFamily Family, string Description)
{
    /// <summary>For a netloop server, the <c>--mode</c> it is started with; null: its <see cref="Name"/> (the catalog's modes).</summary>
    public string? Mode { get; init; }

    /// <summary>
    /// For a netloop server, another build's <c>netloop</c> to start (its apphost, or a <c>Netloop.Cli.dll</c> run
    /// under the dotnet host) instead of the bench's own; null for the bench's own build. See <see cref="ExtraServers"/>.
    /// </summary>
    public string? NetloopPath { get; init; }

    /// <summary>For a netloop server, arguments added to <c>netloop serve</c> (e.g. <c>--middleware passthrough</c>).</summary>
    public IReadOnlyList<string> ServeArguments { get; init; } = [];

    /// <summary>The <c>--mode</c> a netloop server is started with.</summary>
    public string ModeName => Mode ?? Name;

    /// <summary>
    /// Whether this server speaks <paramref name="protocol"/>: every netloop mode speaks all three (HTTP/2 is the same
    /// protocol object whatever the mode serving it); Kestrel and nginx speak HTTP/1.1 and HTTP/2, not echo; the C limit
    /// speaks echo and HTTP/1.1, not HTTP/2.
    /// </summary>
    public bool Speaks(LoadProtocol protocol) => protocol switch
    {
        LoadProtocol.Echo => Family is ServerFamily.Netloop or ServerFamily.Reference,
        LoadProtocol.Http2 => Family != ServerFamily.Reference,
        _ => true,
    };

    /// <summary>Why this server has no figure in the cases of <paramref name="protocol"/>, for the report's "–"; null when it speaks it.</summary>
    public string? AbsenceReason(LoadProtocol protocol) => Speaks(protocol) ? null : (Family, protocol) switch
    {
        (ServerFamily.Reference, LoadProtocol.Http2) => "limit-http speaks HTTP/1.1 only",
        (_, LoadProtocol.Echo) => "HTTP only",
        _ => $"does not speak {protocol}",
    };

    /// <summary>
    /// Whether this server is measured in <paramref name="benchCase"/>: it speaks the case's protocol and the case's
    /// family suits it (see <see cref="RunsCasesOf"/>). Every decision of which server runs which case goes through here
    /// (and <see cref="Running.BenchPlan.Runs"/>, which may keep a run's HTTP/2 cases to fewer servers).
    /// </summary>
    public bool Runs(BenchCase benchCase) => Speaks(benchCase.Protocol) && RunsCasesOf(benchCase.Family) && (benchCase.Tls == TlsKey.None || SpeaksTls);

    /// <summary>
    /// Whether this server terminates TLS: nginx, Kestrel, and netloop serve in its reactor modes (epoll, poll), where
    /// TLS lives in the transport; not the blocking and async modes, nor the C limit.
    /// </summary>
    public bool SpeaksTls => Family switch
    {
        ServerFamily.Netloop => ModeName is "epoll" or "poll",
        ServerFamily.Reference => false,
        _ => true,
    };

    /// <summary>
    /// Whether cases of <paramref name="caseFamily"/> (<see cref="CaseCatalog"/>'s family names) suit this server.
    /// The C limit parses nothing: limit-http answers every request with the same "Hello, World!", so it has no
    /// <c>/json</c>, ignores <c>Connection: close</c> (churn) and is not a server whose soak or start-up says anything;
    /// it runs echo, plaintext, pipelined and idle only. Every other server runs every family of the protocols it speaks.
    /// </summary>
    public bool RunsCasesOf(string caseFamily) =>
        Family != ServerFamily.Reference
        || caseFamily is CaseCatalog.Echo or CaseCatalog.Plaintext or CaseCatalog.Pipelined or CaseCatalog.Idle;

    /// <summary>Whether several processes of this server can share one port (SO_REUSEPORT), which idle runs beyond one process's file limit need.</summary>
    public bool CanShareAPort => Family == ServerFamily.Netloop;
}
