using System.Diagnostics;
using System.Text.Json;
using Netloop.Tests.Integration.Http2;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Tls;

/// <summary>
/// testssl.sh's full default scan of <c>netloop serve --protocol http</c> over TLS, the way an operator audits a public
/// server. It runs alone (the load collection): it makes a few thousand handshakes. Its JSON is kept under
/// <c>TestResults/testssl/</c> of the source tree (the path is printed).
/// </summary>
[Collection(nameof(Http2LoadRuns))]
public sealed class TestsslScanTests(ITestOutputHelper output)
{
    /// <summary>Beyond this the scan is killed and the test fails.</summary>
    private static readonly TimeSpan s_scanLimit = TimeSpan.FromSeconds(300);

    /// <summary>
    /// The audited sections: protocols (-p), cipher categories (-s), the server's cipher order (-P), forward secrecy
    /// (-f), vulnerabilities (-U) and the server defaults with the certificate (-S). The full default scan adds HTTP
    /// headers and ~30 client simulations, nothing about the TLS configuration, and took 170-229 s here (2 shared
    /// cores) instead of 109 s.
    /// </summary>
    private static readonly string[] s_sections = ["-p", "-s", "-P", "-f", "-U", "-S"];

    /// <summary>
    /// What any certificate made for a test draws, whatever the server does; nothing else may be HIGH or CRITICAL.
    /// </summary>
    private static readonly Dictionary<string, string> s_testCertificateFindings = new()
    {
        ["cert_chain_of_trust"] = "the issuer is the run's own CA, which no trust store holds (CRITICAL \"failed (chain incomplete)\")",
        ["cert_expirationStatus"] = "test certificates live 30 days (HIGH \"expires < 30 days\" once under; MEDIUM \"< 60 days\" before)",
        ["cert_notAfter"] = "the same short lifetime, reported on the date itself",
        ["cert_revocation"] = "a test CA publishes neither a CRL nor an OCSP responder (HIGH \"Neither CRL nor OCSP URI provided\")",
    };

    /// <summary>Findings that show each audited part was really scanned: protocols, cipher suites and order, key exchange, vulnerabilities.</summary>
    private static readonly string[] s_scannedParts =
    [
        "SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3",
        "cipherlist_NULL", "cipherlist_EXPORT", "cipherlist_LOW", "cipherlist_3DES_IDEA", "cipherlist_STRONG",
        "cipher_order", "PFS", "PFS_ECDHE_curves",
        "heartbleed", "CCS", "ticketbleed", "ROBOT", "secure_renego", "secure_client_renego", "CRIME_TLS", "POODLE_SSL",
        "fallback_SCSV", "SWEET32", "FREAK", "DROWN", "LOGJAM", "BEAST", "LUCKY13", "RC4",
    ];

    [Fact]
    public async Task Testssl_finds_nothing_high_or_critical_about_protocols_ciphers_key_exchange_or_vulnerabilities()
    {
        var certificates = TestCertificates.Shared;
        await using var server = await TlsServe.StartAsync(output, certificates.LocalhostEcdsa);
        string json = JsonPath();

        var clock = Stopwatch.StartNew();
        var run = await Http2Tools.RunAsync(output, "testssl",
            ["--warnings", "batch", "--color", "0", "--openssl", "/usr/bin/openssl", .. s_sections, "--jsonfile", json, server.Address], s_scanLimit);
        output.WriteLine($"testssl took {clock.Elapsed.TotalSeconds:F0} s; its JSON: {json}");

        Assert.True(run.ExitCode == 0 || File.Exists(json), run.Describe());
        var findings = ReadFindings(json);
        var scanned = findings.Select(f => f.Id).ToHashSet();
        Assert.True(s_scannedParts.All(scanned.Contains), $"the scan missed: {string.Join(' ', s_scannedParts.Where(p => !scanned.Contains(p)))} ({json})");
        foreach (string old in (string[])["SSLv2", "SSLv3", "TLS1", "TLS1_1"])
        {
            Assert.Contains("not offered", findings.First(f => f.Id == old).Finding, StringComparison.Ordinal);
        }
        Assert.Equal("offered with final", findings.First(f => f.Id == "TLS1_3").Finding);
        var serious = findings
            .Where(f => f.Severity is "HIGH" or "CRITICAL" && !s_testCertificateFindings.ContainsKey(f.Id))
            .Select(f => $"{f.Id} {f.Severity}: {f.Finding}")
            .ToList();
        Assert.True(serious.Count == 0, $"testssl rates these HIGH or CRITICAL ({json}):\n{string.Join('\n', serious)}");
        TlsServe.AssertNoStackTrace(await server.StopAsync());
    }

    private static string JsonPath()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Netloop.sln"))) directory = directory.Parent;
        string results = directory is null
            ? Path.Combine(Path.GetTempPath(), "netloop-testssl")
            : Path.Combine(directory.FullName, "TestResults", "testssl");
        Directory.CreateDirectory(results);
        // testssl refuses to overwrite a JSON file, so each run gets its own.
        return Path.Combine(results, $"testssl-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.json");
    }

    private static List<(string Id, string Severity, string Finding)> ReadFindings(string json)
    {
        Assert.True(File.Exists(json), $"testssl wrote no {json}");
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        return document.RootElement.EnumerateArray()
            .Select(f => (f.GetProperty("id").GetString()!, f.GetProperty("severity").GetString()!, f.GetProperty("finding").GetString()!))
            .ToList();
    }
}
