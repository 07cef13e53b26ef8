using System.Globalization;
using Netloop.Bench.Cases;

namespace Netloop.Bench.Running;

/// <summary>One <c>netloop load</c> run, as the bench asks for it.</summary>
/// <param name="Target"><c>http://127.0.0.1:P/plaintext</c>, <c>tcp://127.0.0.1:P</c>, or <c>h2c://127.0.0.1:P</c> (idle only).</param>
/// <param name="Connections">Concurrent connections.</param>
/// <param name="Duration">How long to load (or, idle, to hold the connections open).</param>
/// <param name="Pipeline">HTTP requests in flight per connection.</param>
/// <param name="RequestsPerConnection">Requests before reconnecting (0 = keep the connection).</param>
/// <param name="PayloadBytes">Echo message size (0 = the load's default).</param>
/// <param name="Idle">Open the connections and send nothing.</param>
/// <param name="SourceAddresses">A 127.0.0.x range to spread connections over (more ephemeral ports), or null.</param>
/// <param name="MonitorPid">The server pid for <c>--monitor-pid</c>, or null.</param>
/// <param name="Tls">The target speaks TLS (<c>https://</c>, <c>h2s://</c>) with the run's self-signed certificate: <c>--insecure</c>.</param>
/// <param name="TlsResume">Resume sessions (<c>--tls-resume</c>).</param>
internal sealed record LoadRequest(
    string Target,
    int Connections,
    TimeSpan Duration,
    int Pipeline = 1,
    int RequestsPerConnection = 0,
    int PayloadBytes = 0,
    bool Idle = false,
    string? SourceAddresses = null,
    int? MonitorPid = null,
    bool Tls = false,
    bool TlsResume = false)
{
    /// <summary>The request for <paramref name="benchCase"/> against a server on <paramref name="port"/>.</summary>
    public static LoadRequest For(BenchCase benchCase, int port, TimeSpan duration, int? monitorPid)
    {
        // HTTP/2 comes here only for the idle case (h2load drives the others): netloop load's h2c:// target holds idle connections.
        bool tls = benchCase.Tls != TlsKey.None;
        string target = benchCase.Protocol switch
        {
            LoadProtocol.Echo => string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{port}"),
            LoadProtocol.Http2 => string.Create(CultureInfo.InvariantCulture, $"{(tls ? "h2s" : "h2c")}://127.0.0.1:{port}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(tls ? "https" : "http")}://127.0.0.1:{port}{benchCase.Path}"),
        };
        return new LoadRequest(
            target,
            benchCase.Connections,
            duration,
            benchCase.Pipeline,
            benchCase.RequestsPerConnection,
            benchCase.PayloadBytes,
            Idle: benchCase.Kind == CaseKind.Idle,
            // Churn opens tens of thousands of connections a second: more source addresses, more ephemeral ports.
            SourceAddresses: benchCase.RequestsPerConnection > 0 ? "127.0.0.1-127.0.0.16" : null,
            MonitorPid: monitorPid,
            Tls: tls,
            TlsResume: benchCase.TlsResume);
    }

    /// <summary>The arguments after <c>netloop</c>.</summary>
    public IReadOnlyList<string> Arguments()
    {
        var args = new List<string>
        {
            "load", "--target", Target,
            "--connections", Connections.ToString(CultureInfo.InvariantCulture),
            "--duration", string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Max(1, Math.Round(Duration.TotalMilliseconds))}ms"),
        };
        if (Pipeline > 1) args.AddRange(["--pipeline", Pipeline.ToString(CultureInfo.InvariantCulture)]);
        if (RequestsPerConnection > 0) args.AddRange(["--requests-per-connection", RequestsPerConnection.ToString(CultureInfo.InvariantCulture)]);
        if (PayloadBytes > 0) args.AddRange(["--payload", PayloadBytes.ToString(CultureInfo.InvariantCulture)]);
        if (Idle) args.Add("--idle");
        if (SourceAddresses is not null) args.AddRange(["--source-addresses", SourceAddresses]);
        // The run's certificates are self-signed; what is measured is the server's TLS, not the load's trust store.
        if (Tls) args.Add("--insecure");
        if (TlsResume) args.Add("--tls-resume");
        if (MonitorPid is not null) args.AddRange(["--monitor-pid", MonitorPid.Value.ToString(CultureInfo.InvariantCulture)]);
        // One client loop: the load has one core to itself, and more threads on it would only take turns.
        args.AddRange(["--loops", "1", "--no-progress", "--json"]);
        return args;
    }
}
