using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Netloop.Bench.Running;

namespace Netloop.Bench.Tls;

/// <summary>One server under test: plaintext, TLS candidate (A) SslStream, or (B) the transport's OpenSSL engine.</summary>
internal sealed record TlsEntrant(string Name, bool Tls, Func<TlsCertificate, IEnumerable<string>> Arguments, Func<TlsCertificate, IReadOnlyDictionary<string, string>?> Environment);

/// <summary>A throwaway ECDSA P-256 self-signed certificate made with the openssl CLI.</summary>
internal sealed record TlsCertificate(string CertificatePath, string KeyPath)
{
    /// <summary>The certificate (public part), for a client to pin.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2 Load() =>
        System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(CertificatePath);

    public static TlsCertificate Create(string directory)
    {
        Directory.CreateDirectory(directory);
        var certificate = new TlsCertificate(Path.Combine(directory, "cert.pem"), Path.Combine(directory, "key.pem"));
        var info = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in new[] { "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                     "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", certificate.KeyPath, "-out", certificate.CertificatePath })
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException("openssl req failed: " + process.StandardError.ReadToEnd());
        return certificate;
    }
}

/// <summary>Settings of <c>netloop bench tls-design</c>.</summary>
internal sealed record TlsDesignOptions
{
    public required ProcessCommand Netloop { get; init; }
    public required string OutputDirectory { get; init; }
    public int Rounds { get; init; } = 3;
    public TimeSpan HandshakeDuration { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan BulkDuration { get; init; } = TimeSpan.FromSeconds(5);
    public int BulkConnections { get; init; } = 2;
    public int IdleConnections { get; init; } = 5000;
    public int ServerCpu { get; init; }
    public int ClientCpu { get; init; } = 1;
}

/// <summary>
/// The P8 design measurement: for each entrant, interleaved over rounds, (i) full handshakes per second with
/// <c>openssl s_time -new</c> (each connection one <c>GET /plaintext</c> over HTTP/1.0, then close) and the server's CPU
/// µs per handshake from /proc/PID/stat, (ii) bulk echo MB/s of 64 KiB writes over a few connections, (iii) RSS bytes per
/// idle echo connection (handshake done, one byte echoed). Servers run with one loop pinned to one core, clients on
/// another. Medians over rounds go to a markdown table.
/// </summary>
internal static class TlsDesignBench
{
    private static readonly long s_ticksPerSecond = 100; // USER_HZ on Linux

    public static IReadOnlyList<TlsEntrant> Entrants(bool includeOpenSsl) =>
    [
        new("plaintext", false, _ => [], _ => null),
        new("A: SslStream", true, _ => [], c => new Dictionary<string, string>
        {
            ["NETLOOP_TLS_ENGINE"] = "sslstream",
            ["NETLOOP_TLS_CERT"] = c.CertificatePath,
            ["NETLOOP_TLS_KEY"] = c.KeyPath,
        }),
        .. includeOpenSsl ? new[] { new TlsEntrant("B: OpenSSL", true, c => ["--tls-cert", c.CertificatePath, "--tls-key", c.KeyPath], _ => null) } : [],
    ];

    public static async Task<string> RunAsync(TlsDesignOptions options, IReadOnlyList<TlsEntrant> entrants, TextWriter progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.OutputDirectory);
        var certificate = TlsCertificate.Create(Path.Combine(Path.GetTempPath(), "netloop-tls-design-" + Environment.ProcessId));
        var results = entrants.ToDictionary(e => e.Name, _ => new List<TlsMeasurement>());
        try
        {
            for (int round = 1; round <= options.Rounds; round++)
            {
                foreach (var entrant in entrants)
                {
                    var m = await MeasureAsync(options, entrant, certificate, round, cancellationToken).ConfigureAwait(false);
                    results[entrant.Name].Add(m);
                    await progress.WriteLineAsync($"round {round} {entrant.Name}: {m}").ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(certificate.CertificatePath)!, recursive: true);
        }
        string table = Table(options, results);
        string path = Path.Combine(options.OutputDirectory, "tls-design.md");
        await File.WriteAllTextAsync(path, table, cancellationToken).ConfigureAwait(false);
        await progress.WriteLineAsync(table).ConfigureAwait(false);
        return path;
    }

    private static async Task<TlsMeasurement> MeasureAsync(TlsDesignOptions options, TlsEntrant entrant, TlsCertificate certificate, int round, CancellationToken cancellationToken)
    {
        var m = new TlsMeasurement();
        string slug = new string(entrant.Name.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
        // Echo: bulk, then idle connections (on a fresh server so the idle figure starts cold).
        await using (var server = await StartAsync(options, entrant, certificate, "echo", Path.Combine(options.OutputDirectory, "logs", $"{slug}-echo-bulk-{round}.log"), cancellationToken).ConfigureAwait(false))
        {
            m.BulkMBps = await TlsClients.BulkEchoAsync(server.EndPoint, entrant.Tls ? certificate.Load() : null, options.BulkConnections, options.BulkDuration, cancellationToken).ConfigureAwait(false);
            m.Audits.Add(await server.StopAsync().ConfigureAwait(false));
        }
        await using (var server = await StartAsync(options, entrant, certificate, "echo", Path.Combine(options.OutputDirectory, "logs", $"{slug}-echo-idle-{round}.log"), cancellationToken).ConfigureAwait(false))
        {
            var warm = await TlsClients.OpenIdleAsync(server.EndPoint, entrant.Tls ? certificate.Load() : null, 16, cancellationToken).ConfigureAwait(false);
            Close(warm);
            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            long before = ProcReading.RssBytes(server.Pid);
            var idle = await TlsClients.OpenIdleAsync(server.EndPoint, entrant.Tls ? certificate.Load() : null, options.IdleConnections, cancellationToken).ConfigureAwait(false);
            await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
            long after = ProcReading.RssBytes(server.Pid);
            m.IdleBytesPerConnection = (after - before) / (double)options.IdleConnections;
            Close(idle);
            m.Audits.Add(await server.StopAsync().ConfigureAwait(false));
        }
        if (entrant.Tls)
        {
            await using var server = await StartAsync(options, entrant, certificate, "http", Path.Combine(options.OutputDirectory, "logs", $"{slug}-http-handshakes-{round}.log"), cancellationToken).ConfigureAwait(false);
            (m.HandshakesPerSecond, m.CpuMicrosPerHandshake) = await HandshakesAsync(options, server, cancellationToken).ConfigureAwait(false);
            m.Audits.Add(await server.StopAsync().ConfigureAwait(false));
        }
        return m;
    }

    private static async Task<(double PerSecond, double CpuMicros)> HandshakesAsync(TlsDesignOptions options, RunningServer server, CancellationToken cancellationToken)
    {
        long cpuBefore = ProcReading.CpuTicks(server.Pid);
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-c", options.ClientCpu.ToString(CultureInfo.InvariantCulture), "openssl", "s_time", "-connect", server.EndPoint.ToString(), "-new",
                     "-time", ((int)options.HandshakeDuration.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-www", "/plaintext" })
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        var clock = Stopwatch.StartNew();
        string output = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;
        long cpuTicks = ProcReading.CpuTicks(server.Pid) - cpuBefore;
        var match = Regex.Match(output, @"(\d+) connections in [\d.]+s");
        if (!match.Success) throw new InvalidOperationException("openssl s_time printed no count: " + output);
        long count = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return (count / seconds, cpuTicks * 1e6 / s_ticksPerSecond / Math.Max(1, count));
    }

    private static void Close(List<(Socket Socket, Stream Stream)> connections)
    {
        foreach (var (socket, stream) in connections)
        {
            socket.Dispose();
            stream.Dispose();
        }
    }

    private static async Task<RunningServer> StartAsync(TlsDesignOptions options, TlsEntrant entrant, TlsCertificate certificate, string protocol, string log, CancellationToken cancellationToken)
    {
        int port = FreePort();
        var command = options.Netloop.With(
            ["serve", "--mode", "epoll", "--protocol", protocol, "--address", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
             "--loops", "1", "--max-connections", "20000", "--idle-timeout", "0", .. entrant.Arguments(certificate)]) with { Environment = entrant.Environment(certificate) };
        command = new ProcessCommand("taskset", ["-c", options.ServerCpu.ToString(CultureInfo.InvariantCulture), command.FileName, .. command.Arguments]) { Environment = command.Environment };
        var child = ChildProcess.Start(command, log, keepStdout: true);
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (child.HasExited) throw new InvalidOperationException($"{entrant.Name} server exited at start: {child.LastLine}");
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
        return new RunningServer(child, endPoint, log);
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static string Table(TlsDesignOptions options, Dictionary<string, List<TlsMeasurement>> results)
    {
        static string F(double v, string format) => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Medians of {options.Rounds} interleaved rounds; server: 1 loop on cpu {options.ServerCpu}; clients on cpu {options.ClientCpu}.");
        text.AppendLine();
        text.AppendLine("| server | full handshakes/s (s_time -new, 1 GET) | server CPU µs / handshake | bulk echo MB/s (64 KiB, " + options.BulkConnections + " conns) | bytes / idle connection (" + options.IdleConnections + ") | shutdown audits |");
        text.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var (name, rounds) in results)
        {
            double Median(Func<TlsMeasurement, double> f) => rounds.Count == 0 ? double.NaN : Medians.Of(rounds.Select(f));
            var all = rounds.SelectMany(r => r.Audits).ToList();
            var unclean = all.Where(a => !a.StartsWith("leaks: none", StringComparison.Ordinal)).Select(a => a.Split(';')[0]).ToList();
            string audits = unclean.Count == 0 ? "clean" : $"{unclean.Count} of {all.Count} unclean: {string.Join(", ", unclean)}";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {F(Median(r => r.HandshakesPerSecond), "0")} | {F(Median(r => r.CpuMicrosPerHandshake), "0")} | {F(Median(r => r.BulkMBps), "0")} | {F(Median(r => r.IdleBytesPerConnection), "0")} | {audits} |");
        }
        return text.ToString();
    }
}

internal sealed class TlsMeasurement
{
    public double HandshakesPerSecond { get; set; } = double.NaN;
    public double CpuMicrosPerHandshake { get; set; } = double.NaN;
    public double BulkMBps { get; set; } = double.NaN;
    public double IdleBytesPerConnection { get; set; } = double.NaN;
    public List<string> Audits { get; } = [];

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"handshakes/s {HandshakesPerSecond:0}, cpu µs/handshake {CpuMicrosPerHandshake:0}, bulk {BulkMBps:0} MB/s, idle {IdleBytesPerConnection:0} B/conn, {string.Join(" | ", Audits)}");
}

/// <summary>A started server and the way to stop it, returning its <c>leaks:</c> line.</summary>
internal sealed class RunningServer(ChildProcess child, IPEndPoint endPoint, string log) : IAsyncDisposable
{
    public IPEndPoint EndPoint { get; } = endPoint;

    public int Pid => child.Pid;

    public async Task<string> StopAsync()
    {
        await child.StopAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        using var reader = new StreamReader(new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return (await reader.ReadToEndAsync().ConfigureAwait(false)).Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Contains("leaks:", StringComparison.Ordinal)) is { } line
            ? line[line.IndexOf("leaks:", StringComparison.Ordinal)..]
            : "no audit line";
    }

    public ValueTask DisposeAsync() => child.DisposeAsync();
}

/// <summary>/proc readings of a process.</summary>
internal static class ProcReading
{
    public static long RssBytes(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidOperationException("no VmRSS");
    }

    /// <summary>utime + stime of the whole process (all threads), in clock ticks.</summary>
    public static long CpuTicks(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ", field 3 (state) is index 0: utime is field 14, stime 15.
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}
