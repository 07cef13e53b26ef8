using System.Globalization;
using System.Text.RegularExpressions;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Tls;

/// <summary>
/// One built <c>netloop serve --protocol http --port 0</c> speaking TLS only, with the <c>--tls-*</c> switches a test
/// gives; disposing kills it if it still runs. <see cref="StopAsync"/> stops it with SIGTERM and returns its log, which
/// ends with the <c>TLS: handshakes=…</c> line.
/// </summary>
internal sealed partial class TlsServe : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private TlsServe(CliProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    public CliProcess Process { get; }

    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>, for openssl s_client and testssl.</summary>
    public string Address => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>An https URL by IP address (the test certificates name 127.0.0.1 too); clients send no SNI to it.</summary>
    public string Url(string path) => $"https://{Address}{path}";

    /// <summary>An https URL for <c>localhost</c>, which curl sends as SNI; pass <see cref="CurlResolve"/> with it so it goes to 127.0.0.1.</summary>
    public string LocalhostUrl(string path) => $"https://localhost:{Port.ToString(CultureInfo.InvariantCulture)}{path}";

    /// <summary>curl's switch that sends <paramref name="host"/> to 127.0.0.1 on this port (no DNS, no ::1).</summary>
    public string[] CurlResolve(string host = "localhost") => ["--resolve", $"{host}:{Port.ToString(CultureInfo.InvariantCulture)}:127.0.0.1"];

    /// <summary>Starts the server with the certificate (and <paramref name="tlsArgs"/>) and waits for its <c>TLS on</c> line.</summary>
    public static async Task<TlsServe> StartAsync(ITestOutputHelper output, CertificateFiles certificate, params string[] tlsArgs) =>
        await StartAsync(output, ["--tls-cert", certificate.Certificate, "--tls-key", certificate.Key, .. tlsArgs]);

    public static async Task<TlsServe> StartAsync(ITestOutputHelper output, string[] tlsArgs)
    {
        var process = CliProcess.Start(output, ["serve", "--protocol", "http", "--port", "0", "--root", TestCertificates.Shared.NewScratchDirectory(), .. tlsArgs]);
        try
        {
            var line = await process.WaitForLineAsync(TlsOn(), Wait);
            return new TlsServe(process, int.Parse(line.Groups["port"].Value, CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server with SIGTERM, requires a clean exit, and returns its log.</summary>
    public async Task<string> StopAsync()
    {
        Process.Signal(CliProcess.SIGTERM);
        Assert.True(await Process.WaitForExitAsync(Wait), "the server did not stop:\n" + Process.Transcript());
        Assert.True(Process.ExitCode == 0, $"the server exited with {Process.ExitCode}:\n{Process.Transcript()}");
        return Process.StdOut;
    }

    /// <summary>The counters of the <c>TLS: handshakes=… failed=… timeouts=…</c> line a stopped server logged.</summary>
    public static Dictionary<string, long> TlsStopCounters(string log)
    {
        var line = StopLine().Match(log);
        Assert.True(line.Success, "no 'TLS: handshakes=…' line in the log:\n" + log);
        return CounterPair().Matches(line.Value).ToDictionary(m => m.Groups["name"].Value, m => long.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>The server's log has no stack trace (no "   at Namespace.Type.Method(" frame, no exception type name line).</summary>
    public static void AssertNoStackTrace(string log)
    {
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", log);
        Assert.DoesNotMatch(@"(?m)^\s*[A-Za-z0-9_.]+Exception\b", log);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    [GeneratedRegex(@"TLS on 127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex TlsOn();

    [GeneratedRegex(@"TLS: handshakes=\d+[^\r\n]*")]
    private static partial Regex StopLine();

    [GeneratedRegex(@"(?<name>[a-z0-9.\-]+)=(?<value>\d+)")]
    private static partial Regex CounterPair();
}
