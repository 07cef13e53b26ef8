using System.Text.RegularExpressions;
using Netloop.Tests.Samples;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Tls;

/// <summary>A certificate or key that cannot serve stops <c>netloop serve</c> (and an app) at start: exit 1 and one line on stderr, no stack trace.</summary>
public sealed class TlsStartupFailureTests(ITestOutputHelper output)
{
    private readonly TestCertificates _certificates = TestCertificates.Shared;

    public enum Fault
    {
        MissingCertificate,
        MissingKey,
        Expired,
        KeyDoesNotMatch,
        NotAPemFile,
        WrongPkcs12Password,
        MissingClientCa,
    }

    [Theory]
    [InlineData(Fault.MissingCertificate, "TLS certificate file not found: ")]
    [InlineData(Fault.MissingKey, "not found")]
    [InlineData(Fault.Expired, "expired on 2024-01-02 00:00 UTC")]
    [InlineData(Fault.KeyDoesNotMatch, "does not fit certificate")]
    [InlineData(Fault.NotAPemFile, "TLS certificate ")]
    [InlineData(Fault.WrongPkcs12Password, "PKCS#12")]
    [InlineData(Fault.MissingClientCa, "TLS client CA file not found")]
    public async Task Netloop_serve_exits_1_with_one_line_on_stderr(Fault fault, string expected)
    {
        var result = await CliProcess.RunToExitAsync(output, ["serve", "--protocol", "http", "--port", "0", .. TlsArgs(fault)]);

        Assert.True(result.ExitCode == 1, $"exit code {result.ExitCode}\n{result.StdOut}\n{result.StdErr}");
        AssertOneLine(result.StdErr, expected);
        Assert.DoesNotContain("listening on", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_todo_api_with_an_expired_certificate_exits_1_with_one_line_on_stderr()
    {
        await using var app = Sample.Start(output, "TodoApi", "--port", "0", "--tls-cert", _certificates.Expired.Certificate, "--tls-key", _certificates.Expired.Key);

        Assert.True(await app.WaitForExitAsync(TimeSpan.FromSeconds(30)), app.Transcript());
        Assert.True(app.ExitCode == 1, app.Transcript());
        AssertOneLine(app.StdErr, "expired on 2024-01-02 00:00 UTC");
    }

    private string[] TlsArgs(Fault fault)
    {
        var good = _certificates.LocalhostEcdsa;
        string missing = Path.Combine(_certificates.Directory, "no-such-file.pem");
        return fault switch
        {
            Fault.MissingCertificate => ["--tls-cert", missing, "--tls-key", good.Key],
            Fault.MissingKey => ["--tls-cert", good.Certificate, "--tls-key", missing],
            Fault.Expired => ["--tls-cert", _certificates.Expired.Certificate, "--tls-key", _certificates.Expired.Key],
            Fault.KeyDoesNotMatch => ["--tls-cert", _certificates.Mismatched.Certificate, "--tls-key", _certificates.Mismatched.Key],
            Fault.NotAPemFile => ["--tls-cert", _certificates.CaCertificate.Replace("ca.pem", "a.test.csr", StringComparison.Ordinal), "--tls-key", good.Key],
            Fault.WrongPkcs12Password => ["--tls-cert", _certificates.Pkcs12, "--tls-password", "wrong"],
            Fault.MissingClientCa => ["--tls-cert", good.Certificate, "--tls-key", good.Key, "--tls-client-ca", missing],
            _ => throw new ArgumentOutOfRangeException(nameof(fault)),
        };
    }

    private static void AssertOneLine(string stderr, string expected)
    {
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr, got:\n" + stderr);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex(@"\bat \S+\(|Exception:"), lines[0]);
    }
}
