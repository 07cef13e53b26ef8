using System.Diagnostics;

namespace Netloop.AbuseTests.Support;

/// <summary>
/// What the servers under attack serve and use, made once per run in a temporary directory (nothing committed): a
/// static root with a large file for slow readers, and a self-signed ECDSA P-256 certificate for localhost made with the
/// <c>openssl</c> CLI.
/// </summary>
internal static class TestFiles
{
    /// <summary>Size of <c>/static/big.bin</c>: far more than a socket's buffers, so a client that never reads stalls the response.</summary>
    public const int BigFileBytes = 16 * 1024 * 1024;

    private static readonly Lazy<string> s_directory = new(Create);

    /// <summary>The static root (<c>--root</c>): holds <c>big.bin</c>.</summary>
    public static string Root => Path.Combine(s_directory.Value, "root");

    public static string CertificatePath => Path.Combine(s_directory.Value, "cert.pem");

    public static string KeyPath => Path.Combine(s_directory.Value, "key.pem");

    private static string Create()
    {
        string directory = Directory.CreateTempSubdirectory("netloop-abuse-").FullName;
        // Gone with the test run: 16 MiB a run would pile up in /tmp otherwise.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left behind: harmless.
            }
        };
        string root = Directory.CreateDirectory(Path.Combine(directory, "root")).FullName;
        var data = new byte[BigFileBytes];
        new Random(9).NextBytes(data);
        File.WriteAllBytes(Path.Combine(root, "big.bin"), data);
        var start = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in (string[])[
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", Path.Combine(directory, "key.pem"), "-out", Path.Combine(directory, "cert.pem")])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), "openssl did not finish within 30 s");
        Assert.True(process.ExitCode == 0, $"openssl req failed: {errors}");
        return directory;
    }
}
