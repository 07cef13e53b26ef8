using System.Globalization;

namespace Netloop.Bench.Cases;

/// <summary>One measurement every server that speaks <see cref="Protocol"/> is put through.</summary>
/// <param name="Name">What <c>--cases</c> and the report call it: <c>plaintext-256</c>, <c>idle</c>.</param>
/// <param name="Family">The cases it is grouped with in tables and charts: <c>echo</c>, <c>plaintext</c>, <c>pipelined</c>, …</param>
/// <param name="Kind">How it is measured.</param>
/// <param name="Protocol">Echo, HTTP/1.1 or HTTP/2.</param>
/// <param name="Path">The HTTP path requested (empty for echo).</param>
/// <param name="Connections">Concurrent connections.</param>
/// <param name="Pipeline">HTTP requests in flight per connection: pipelined over HTTP/1.1, concurrent streams over HTTP/2 (h2load <c>-m</c>).</param>
/// <param name="RequestsPerConnection">Requests before a connection closes and reconnects (0 = never).</param>
/// <param name="PayloadBytes">Echo message size.</param>
/// <param name="Tls">Plaintext, or TLS with the run's ECDSA or RSA certificate (HTTP/1.1 by ALPN for <c>netloop load</c>, h2 for h2load).</param>
/// <param name="TlsResume">TLS: each new connection resumes its loop's latest session (<c>netloop load --tls-resume</c>).</param>
internal sealed record BenchCase(
    string Name,
    string Family,
    CaseKind Kind,
    LoadProtocol Protocol,
    string Path,
    int Connections,
    int Pipeline = 1,
    int RequestsPerConnection = 0,
    int PayloadBytes = 0,
    TlsKey Tls = TlsKey.None,
    bool TlsResume = false)
{
    private string KeyName => Tls == TlsKey.Rsa ? "RSA-2048" : "ECDSA P-256";

    /// <summary>A heading for the report: <c>HTTP plaintext, 256 connections</c>.</summary>
    public string Title
    {
        get
        {
            string connections = Connections.ToString("N0", CultureInfo.InvariantCulture);
            return Family switch
            {
                CaseCatalog.Echo => $"Echo, {connections} connections, {PayloadBytes.ToString("N0", CultureInfo.InvariantCulture)} B messages",
                CaseCatalog.Plaintext => $"HTTP plaintext, {connections} connections",
                CaseCatalog.Pipelined => $"HTTP plaintext pipelined {Pipeline} deep, {connections} connections",
                CaseCatalog.Json => $"HTTP JSON, {connections} connections",
                CaseCatalog.Churn => $"HTTP connection churn ({RequestsPerConnection} requests, the last with Connection: close, then reconnect), {connections} connections",
                CaseCatalog.Idle => $"Idle keep-alive connections: {connections} open, RSS per connection",
                CaseCatalog.H2Plaintext => $"HTTP/2 (h2c) plaintext, {connections} connections × {Pipeline} streams",
                CaseCatalog.H2Json => $"HTTP/2 (h2c) JSON, {connections} connections × {Pipeline} streams",
                CaseCatalog.H2Idle => $"Idle HTTP/2 connections: {connections} open after the SETTINGS exchange, RSS per connection",
                CaseCatalog.TlsHandshake => $"TLS full handshakes ({KeyName}): one HTTPS request per connection, then close, {connections} connections",
                CaseCatalog.TlsResume => $"TLS resumed handshakes ({KeyName}): one HTTPS request per connection on a resumed session, then close, {connections} connections",
                CaseCatalog.TlsPlaintext => $"HTTPS keep-alive plaintext ({KeyName}), {connections} connections",
                CaseCatalog.H2Tls => $"HTTP/2 over TLS (h2, {KeyName}) plaintext, {connections} connections × {Pipeline} streams",
                CaseCatalog.TlsIdle => $"Idle TLS keep-alive connections ({KeyName}): {connections} open, RSS per connection",
                CaseCatalog.Soak => $"Soak: HTTP plaintext, {connections} connections, constant load",
                CaseCatalog.Startup => Protocol == LoadProtocol.Echo
                    ? "Start-up: spawn to first echo round trip"
                    : "Start-up: spawn to first GET /plaintext 200",
                _ => Name,
            };
        }
    }
}
