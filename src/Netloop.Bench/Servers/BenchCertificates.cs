using Netloop.Bench.Cases;
using Netloop.Bench.Running;

namespace Netloop.Bench.Servers;

/// <summary>
/// The run's TLS certificates: one self-signed ECDSA P-256 and one RSA-2048 certificate for localhost and 127.0.0.1,
/// made with the <c>openssl</c> CLI in the scratch folder the first time a TLS case needs them, and given to every
/// server (netloop, nginx, Kestrel) as the same PEM files. Never kept: the scratch folder goes at the end of the run.
/// </summary>
internal sealed class BenchCertificates(string scratchDirectory, string logDirectory)
{
    private readonly Dictionary<TlsKey, (string Certificate, string Key)> _made = [];

    /// <summary>The PEM certificate and key for <paramref name="key"/>, made on first use; throws <see cref="InvalidOperationException"/> when openssl fails.</summary>
    public (string Certificate, string Key) For(TlsKey key)
    {
        if (key == TlsKey.None) throw new ArgumentException("a plaintext case has no certificate", nameof(key));
        lock (_made)
        {
            if (_made.TryGetValue(key, out var files)) return files;
            string name = key == TlsKey.Rsa ? "rsa" : "ecdsa";
            string certificate = Path.Combine(scratchDirectory, $"tls-{name}-cert.pem");
            string privateKey = Path.Combine(scratchDirectory, $"tls-{name}-key.pem");
            string[] algorithm = key == TlsKey.Rsa ? ["rsa:2048"] : ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
            var command = new ProcessCommand("openssl",
            [
                "req", "-x509", "-newkey", .. algorithm, "-nodes", "-days", "7", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", privateKey, "-out", certificate,
            ]);
            var process = ChildProcess.Start(command, Path.Combine(logDirectory, $"tls-{name}-certificate.log"));
            bool exited = process.WaitForExitAsync(TimeSpan.FromSeconds(60), CancellationToken.None).GetAwaiter().GetResult();
            int exitCode = exited ? process.ExitCode : -1;
            string last = process.LastLine;
            process.DisposeAsync().AsTask().GetAwaiter().GetResult();
            if (exitCode != 0 || !File.Exists(certificate)) throw new InvalidOperationException($"openssl could not make the {name} test certificate: {last}");
            return _made[key] = (certificate, privateKey);
        }
    }
}
