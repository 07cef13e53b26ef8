using System.Diagnostics;

namespace Netloop.Tests.Load.Tls;

/// <summary>
/// A self-signed ECDSA P-256 certificate for localhost and 127.0.0.1 (or the names given), made with the <c>openssl</c> CLI in a temporary
/// directory at run time (never committed); it is its own CA, so it serves as <c>--cacert</c> too. Deleted on dispose.
/// </summary>
internal sealed class TestCertificate : IDisposable
{
    private readonly string _directory;

    private TestCertificate(string directory)
    {
        _directory = directory;
    }

    public string CertificatePath => Path.Combine(_directory, "cert.pem");

    public string KeyPath => Path.Combine(_directory, "key.pem");

    public static TestCertificate Create(string subjectAltName = "DNS:localhost,IP:127.0.0.1")
    {
        string directory = Directory.CreateTempSubdirectory("netloop-load-tls-").FullName;
        var certificate = new TestCertificate(directory);
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])[
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=" + subjectAltName,
            "-keyout", certificate.KeyPath, "-out", certificate.CertificatePath])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), "openssl did not finish within 30 s");
        Assert.True(process.ExitCode == 0, $"openssl req failed: {errors}");
        return certificate;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }
}
