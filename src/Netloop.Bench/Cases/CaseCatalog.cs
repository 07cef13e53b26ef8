using System.Globalization;

namespace Netloop.Bench.Cases;

/// <summary>Every case <c>netloop bench</c> knows, the default and quick sets, and the <c>--cases</c> parser.</summary>
internal static class CaseCatalog
{
    /// <summary>Echo throughput at several connection counts.</summary>
    public const string Echo = "echo";
    /// <summary>HTTP <c>GET /plaintext</c> at several connection counts.</summary>
    public const string Plaintext = "plaintext";
    /// <summary>HTTP plaintext with 16 requests in flight per connection.</summary>
    public const string Pipelined = "pipelined";
    /// <summary>HTTP <c>GET /json</c>.</summary>
    public const string Json = "json";
    /// <summary>HTTP with reconnects every 10 requests.</summary>
    public const string Churn = "churn";
    /// <summary>RSS per idle keep-alive connection.</summary>
    public const string Idle = "idle";
    /// <summary>The long constant-load run with its RSS curve.</summary>
    public const string Soak = "soak";
    /// <summary>Milliseconds from spawn to first answer and RSS then, JIT and NativeAOT builds side by side.</summary>
    public const string Startup = "startup";
    /// <summary>HTTP/2 (h2c) <c>GET /plaintext</c> driven by h2load, at two connection × stream shapes.</summary>
    public const string H2Plaintext = "h2-plaintext";
    /// <summary>HTTP/2 (h2c) <c>GET /json</c> driven by h2load.</summary>
    public const string H2Json = "h2-json";
    /// <summary>RSS per idle HTTP/2 connection after the SETTINGS exchange.</summary>
    public const string H2Idle = "h2-idle";

    /// <summary>TLS full handshakes per second: one HTTPS request per connection, then close (ECDSA, and an RSA row).</summary>
    public const string TlsHandshake = "tls-handshake";
    /// <summary>TLS resumed handshakes per second (session tickets / ids).</summary>
    public const string TlsResume = "tls-resume";
    /// <summary>HTTPS keep-alive <c>GET /plaintext</c>.</summary>
    public const string TlsPlaintext = "tls-plaintext";
    /// <summary>HTTP/2 over TLS (ALPN h2) <c>GET /plaintext</c> driven by h2load.</summary>
    public const string H2Tls = "h2-tls";
    /// <summary>RSS per idle TLS keep-alive connection.</summary>
    public const string TlsIdle = "tls-idle";

    /// <summary>The group <c>--cases</c> accepts for every TLS case.</summary>
    public const string TlsGroup = "tls";

    /// <summary>Connections of the handshake cases: enough to keep a server core busy with handshakes while the load's own handshakes overlap.</summary>
    public const int HandshakeConnections = 64;

    /// <summary>The group <c>--cases</c> accepts for every h2c case (a name, not a family: its cases keep their own families); h2 over TLS is in <see cref="TlsGroup"/>.</summary>
    public const string Http2Group = "h2";

    /// <summary>h2load's shapes of the h2 plaintext family, (connections, streams per connection), as in the issue.</summary>
    public static IReadOnlyList<(int Connections, int Streams)> H2PlaintextShapes { get; } = [(100, 10), (16, 100)];

    /// <summary>The connection counts of the echo and plaintext families.</summary>
    public static IReadOnlyList<int> ConnectionCounts { get; } = [64, 256, 1024, 10_000];

    /// <summary>Echo message size, as in the P1 comparison (BENCHMARKS.md).</summary>
    public const int EchoPayloadBytes = 4096;

    /// <summary>Connections of the soak: the headline plaintext case, held for the whole soak.</summary>
    public const int SoakConnections = 256;

    /// <summary>
    /// Every case in report order, soak last; <paramref name="idleConnections"/> is <c>--idle</c>,
    /// <paramref name="idleH2Connections"/> <c>--idle-h2</c> (null: as many as <paramref name="idleConnections"/>).
    /// </summary>
    public static IReadOnlyList<BenchCase> All(int idleConnections, int? idleH2Connections = null)
    {
        var cases = new List<BenchCase>();
        foreach (int c in ConnectionCounts)
        {
            cases.Add(new BenchCase(Name(Echo, c), Echo, CaseKind.Throughput, LoadProtocol.Echo, "", c, PayloadBytes: EchoPayloadBytes));
        }
        foreach (int c in ConnectionCounts)
        {
            cases.Add(new BenchCase(Name(Plaintext, c), Plaintext, CaseKind.Throughput, LoadProtocol.Http, "/plaintext", c));
        }
        cases.Add(new BenchCase(Name(Pipelined, 256), Pipelined, CaseKind.Throughput, LoadProtocol.Http, "/plaintext", 256, Pipeline: 16));
        cases.Add(new BenchCase(Name(Json, 256), Json, CaseKind.Throughput, LoadProtocol.Http, "/json", 256));
        cases.Add(new BenchCase(Name(Churn, 256), Churn, CaseKind.Throughput, LoadProtocol.Http, "/plaintext", 256, RequestsPerConnection: 10));
        cases.Add(new BenchCase(Idle, Idle, CaseKind.Idle, LoadProtocol.Http, "/plaintext", idleConnections));
        foreach (var (connections, streams) in H2PlaintextShapes)
        {
            cases.Add(new BenchCase(Name(H2Plaintext, connections), H2Plaintext, CaseKind.Throughput, LoadProtocol.Http2, "/plaintext", connections, Pipeline: streams));
        }
        cases.Add(new BenchCase(Name(H2Json, 100), H2Json, CaseKind.Throughput, LoadProtocol.Http2, "/json", 100, Pipeline: 10));
        // The idle HTTP/2 connections send no request: the path is the warm-up's, which runs GET /plaintext over HTTP/2 first.
        cases.Add(new BenchCase(H2Idle, H2Idle, CaseKind.Idle, LoadProtocol.Http2, "/plaintext", idleH2Connections ?? idleConnections));
        cases.Add(new BenchCase(TlsHandshake, TlsHandshake, CaseKind.Throughput, LoadProtocol.Http, "/plaintext", HandshakeConnections, RequestsPerConnection: 1, Tls: TlsKey.Ecdsa));
        cases.Add(new BenchCase(Name(TlsHandshake, "rsa"), TlsHandshake, CaseKind.Throughput, LoadProtocol.Http, "/plaintext", HandshakeConnections, RequestsPerConnection: 1, Tls: TlsKey.Rsa));
        cases.Add(new BenchCase(TlsResume, TlsResume, CaseKind.Throughput, LoadProtocol.Http, "/plaintext", HandshakeConnections, RequestsPerConnection: 1, Tls: TlsKey.Ecdsa, TlsResume: true));
        cases.Add(new BenchCase(Name(TlsPlaintext, 256), TlsPlaintext, CaseKind.Throughput, LoadProtocol.Http, "/plaintext", 256, Tls: TlsKey.Ecdsa));
        cases.Add(new BenchCase(Name(H2Tls, 100), H2Tls, CaseKind.Throughput, LoadProtocol.Http2, "/plaintext", 100, Pipeline: 10, Tls: TlsKey.Ecdsa));
        cases.Add(new BenchCase(TlsIdle, TlsIdle, CaseKind.Idle, LoadProtocol.Http, "/plaintext", idleConnections, Tls: TlsKey.Ecdsa));
        cases.Add(new BenchCase(Name(Startup, "http"), Startup, CaseKind.Startup, LoadProtocol.Http, "/plaintext", 1));
        cases.Add(new BenchCase(Name(Startup, "echo"), Startup, CaseKind.Startup, LoadProtocol.Echo, "", 1));
        cases.Add(new BenchCase(Soak, Soak, CaseKind.Soak, LoadProtocol.Http, "/plaintext", SoakConnections));
        return cases;
    }

    /// <summary>What runs without <c>--cases</c>: everything but the soak, which takes <c>--soak-duration</c> per server and is asked for by name.</summary>
    public static IReadOnlyList<BenchCase> Default(int idleConnections, int? idleH2Connections = null) =>
        All(idleConnections, idleH2Connections).Where(c => c.Kind != CaseKind.Soak).ToList();

    /// <summary>
    /// The <c>--quick</c> subset: the headline cases at 256 connections, the idle-memory case, start-up, and over HTTP/2
    /// the headline h2load shape and the idle case (a few seconds for every server).
    /// </summary>
    public static IReadOnlyList<BenchCase> Quick(int idleConnections, int? idleH2Connections = null) =>
        All(idleConnections, idleH2Connections)
            .Where(c => c.Name is "echo-256" or "plaintext-256" or "pipelined-256" or Idle or "h2-plaintext-100" or H2Idle || c.Family == Startup)
            .ToList();

    /// <summary>Every name <c>--cases</c> accepts, for help and errors: the families and groups, then each case.</summary>
    public static string Names { get; } =
        string.Join(", ", new[] { "all", Echo, Plaintext, Startup, Http2Group, H2Plaintext, TlsGroup }.Concat(All(1).Select(c => c.Name)).Distinct());

    /// <summary>
    /// Parses a comma-separated list of case names (<c>plaintext-256</c>), families (<c>echo</c>: every echo case), the
    /// group <c>h2</c> (every HTTP/2 case) or <c>all</c> (the default set). The result keeps catalog order without duplicates.
    /// </summary>
    public static bool TryParse(string list, int idleConnections, out IReadOnlyList<BenchCase> cases, out string? error) =>
        TryParse(list, idleConnections, null, out cases, out error);

    /// <summary>As <see cref="TryParse(string, int, out IReadOnlyList{BenchCase}, out string?)"/>, with <c>--idle-h2</c> (null: as <paramref name="idleConnections"/>).</summary>
    public static bool TryParse(string list, int idleConnections, int? idleH2Connections, out IReadOnlyList<BenchCase> cases, out string? error)
    {
        var all = All(idleConnections, idleH2Connections);
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string raw in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string name = raw.ToLowerInvariant();
            var matches = name switch
            {
                "all" => Default(idleConnections, idleH2Connections),
                Http2Group => all.Where(c => c.Protocol == LoadProtocol.Http2 && c.Tls == TlsKey.None).ToList(),
                TlsGroup => all.Where(c => c.Tls != TlsKey.None).ToList(),
                _ => all.Where(c => c.Name == name || c.Family == name).ToList(),
            };
            if (matches.Count == 0)
            {
                cases = [];
                error = string.Create(CultureInfo.InvariantCulture, $"unknown case '{raw}' (expected {Names})");
                return false;
            }
            foreach (var match in matches) chosen.Add(match.Name);
        }
        if (chosen.Count == 0)
        {
            cases = [];
            error = $"no case given (expected {Names})";
            return false;
        }
        cases = all.Where(c => chosen.Contains(c.Name)).ToList();
        error = null;
        return true;
    }

    private static string Name(string family, int connections) => string.Create(CultureInfo.InvariantCulture, $"{family}-{connections}");

    private static string Name(string family, string variant) => $"{family}-{variant}";
}
