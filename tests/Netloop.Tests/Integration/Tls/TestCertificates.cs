using System.Diagnostics;
using System.Text;

namespace Netloop.Tests.Integration.Tls;

/// <summary>A certificate file and its key file (PEM), and the serial number it was issued with (hex, as OpenSSL prints it).</summary>
public sealed record CertificateFiles(string Certificate, string Key, string Serial);

/// <summary>
/// The certificates the TLS tests serve and present, made once per test run with the <c>openssl</c> CLI in a temporary
/// directory (deleted when the run ends): nothing secret is committed. A server CA signs the leaves for
/// <c>localhost</c>/127.0.0.1 (ECDSA P-256 and RSA-2048), the SNI names <c>a.test</c> and <c>b.test</c>, a second
/// localhost leaf for the reload tests and an expired one; a separate client CA signs the client certificate
/// <c>CN=alice</c>. Serials are fixed so a test can tell which certificate a handshake got.
/// </summary>
public sealed class TestCertificates
{
    public const string Pkcs12Password = "p12-secret";
    public const string ClientSubject = "CN=alice";

    private static readonly Lazy<TestCertificates> s_shared = new(Generate, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly TimeSpan s_opensslWait = TimeSpan.FromSeconds(60);

    private TestCertificates(string directory) => Directory = directory;

    /// <summary>The run's certificates, made by the first test that asks.</summary>
    public static TestCertificates Shared => s_shared.Value;

    public string Directory { get; }

    /// <summary>The server CA: what clients pass as <c>--cacert</c>.</summary>
    public string CaCertificate => Path.Combine(Directory, "ca.pem");

    public CertificateFiles LocalhostEcdsa { get; private set; } = null!;

    public CertificateFiles LocalhostRsa { get; private set; } = null!;

    /// <summary>Another localhost leaf from the same CA: what a reload swaps in.</summary>
    public CertificateFiles LocalhostNext { get; private set; } = null!;

    public CertificateFiles HostA { get; private set; } = null!;

    public CertificateFiles HostB { get; private set; } = null!;

    public CertificateFiles Expired { get; private set; } = null!;

    /// <summary>The localhost ECDSA certificate with the RSA leaf's key: a pair that does not match.</summary>
    public CertificateFiles Mismatched { get; private set; } = null!;

    /// <summary>The localhost ECDSA leaf, its key and the CA in one PKCS#12 file sealed with <see cref="Pkcs12Password"/>.</summary>
    public string Pkcs12 => Path.Combine(Directory, "localhost.p12");

    public string ClientCaCertificate => Path.Combine(Directory, "client-ca.pem");

    public CertificateFiles Client { get; private set; } = null!;

    /// <summary>A fresh directory for one test's own files (copies to overwrite, corrupt files), inside the run's directory.</summary>
    public string NewScratchDirectory()
    {
        string path = Path.Combine(Directory, "scratch-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    private static TestCertificates Generate()
    {
        DeleteLeftovers();
        string directory = Path.Combine(Path.GetTempPath(), "netloop-tls-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: /tmp is cleaned anyway.
            }
        };
        var certificates = new TestCertificates(directory);
        certificates.MakeAll();
        return certificates;
    }

    /// <summary>
    /// Removes the directories of earlier runs whose test process is gone: the test host may be ended before its
    /// ProcessExit handlers finish, which leaves test keys behind in /tmp.
    /// </summary>
    private static void DeleteLeftovers()
    {
        foreach (string stale in System.IO.Directory.EnumerateDirectories(Path.GetTempPath(), "netloop-tls-*"))
        {
            string[] parts = Path.GetFileName(stale).Split('-');
            if (parts.Length != 4 || !int.TryParse(parts[2], out int pid) || System.IO.Directory.Exists($"/proc/{pid}")) continue;
            try
            {
                System.IO.Directory.Delete(stale, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another run's, or not ours to delete: leave it.
            }
        }
    }

    private void MakeAll()
    {
        MakeCa("ca", "Netloop Test CA");
        MakeCa("client-ca", "Netloop Test Client CA");
        LocalhostEcdsa = MakeLeaf("localhost-ecdsa", "localhost", "DNS:localhost,IP:127.0.0.1", "1001", Ec, "ca", "serverAuth");
        LocalhostRsa = MakeLeaf("localhost-rsa", "localhost", "DNS:localhost,IP:127.0.0.1", "1002", Rsa, "ca", "serverAuth");
        LocalhostNext = MakeLeaf("localhost-next", "localhost", "DNS:localhost,IP:127.0.0.1", "2002", Ec, "ca", "serverAuth");
        HostA = MakeLeaf("a.test", "a.test", "DNS:a.test", "A001", Ec, "ca", "serverAuth");
        HostB = MakeLeaf("b.test", "b.test", "DNS:b.test", "B001", Ec, "ca", "serverAuth");
        Client = MakeLeaf("client", "alice", null, "C001", Ec, "client-ca", "clientAuth");
        Expired = MakeExpired();
        Mismatched = LocalhostEcdsa with { Key = LocalhostRsa.Key };
        OpenSsl("pkcs12", "-export", "-in", LocalhostEcdsa.Certificate, "-inkey", LocalhostEcdsa.Key, "-certfile", CaCertificate,
            "-name", "localhost", "-out", Pkcs12, "-passout", "pass:" + Pkcs12Password);
    }

    private static readonly string[] Ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
    private static readonly string[] Rsa = ["-newkey", "rsa:2048"];

    private void MakeCa(string name, string commonName)
    {
        OpenSsl(["req", "-x509", .. Ec, "-nodes", "-keyout", PathOf(name + ".key"), "-out", PathOf(name + ".pem"), "-days", "30",
            "-subj", "/CN=" + commonName]); // req -x509 adds the configuration's v3_ca extensions (CA:TRUE)
    }

    private CertificateFiles MakeLeaf(string name, string commonName, string? subjectAltName, string serial, string[] keyType, string ca, string usage)
    {
        string csr = MakeRequest(name, commonName, keyType);
        System.IO.File.WriteAllText(PathOf(name + ".ext"), LeafExtensions(subjectAltName, keyType == Rsa, usage));
        OpenSsl("x509", "-req", "-in", csr, "-CA", PathOf(ca + ".pem"), "-CAkey", PathOf(ca + ".key"), "-set_serial", "0x" + serial,
            "-days", "30", "-sha256", "-extfile", PathOf(name + ".ext"), "-out", PathOf(name + ".pem"));
        return new CertificateFiles(PathOf(name + ".pem"), PathOf(name + ".key"), serial);
    }

    /// <summary>Valid for one day in 2024: <c>openssl x509 -req</c> of OpenSSL 3.0 cannot date a certificate in the past, <c>openssl ca</c> can.</summary>
    private CertificateFiles MakeExpired()
    {
        const string serial = "1E01";
        string csr = MakeRequest("expired", "localhost", Ec);
        string work = PathOf("expired-ca");
        System.IO.Directory.CreateDirectory(work);
        System.IO.File.WriteAllText(Path.Combine(work, "index.txt"), "");
        System.IO.File.WriteAllText(Path.Combine(work, "serial"), serial + "\n");
        System.IO.File.WriteAllText(PathOf("expired.ext"), LeafExtensions("DNS:localhost,IP:127.0.0.1", rsa: false, "serverAuth"));
        System.IO.File.WriteAllText(PathOf("expired-ca.cnf"),
            $"[ca]\ndefault_ca = test\n[test]\ndatabase = {work}/index.txt\nnew_certs_dir = {work}\nserial = {work}/serial\n" +
            "default_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n");
        OpenSsl("ca", "-batch", "-config", PathOf("expired-ca.cnf"), "-cert", CaCertificate, "-keyfile", PathOf("ca.key"),
            "-startdate", "20240101000000Z", "-enddate", "20240102000000Z", "-extfile", PathOf("expired.ext"), "-notext",
            "-in", csr, "-out", PathOf("expired.pem"));
        return new CertificateFiles(PathOf("expired.pem"), PathOf("expired.key"), serial);
    }

    private string MakeRequest(string name, string commonName, string[] keyType)
    {
        string csr = PathOf(name + ".csr");
        OpenSsl(["req", .. keyType, "-nodes", "-keyout", PathOf(name + ".key"), "-out", csr, "-subj", "/CN=" + commonName]);
        return csr;
    }

    private static string LeafExtensions(string? subjectAltName, bool rsa, string usage)
    {
        var text = new StringBuilder("basicConstraints=critical,CA:FALSE\n");
        text.Append(rsa ? "keyUsage=critical,digitalSignature,keyEncipherment\n" : "keyUsage=critical,digitalSignature\n");
        text.Append("extendedKeyUsage=").Append(usage).Append('\n');
        if (subjectAltName is not null) text.Append("subjectAltName=").Append(subjectAltName).Append('\n');
        return text.ToString();
    }

    private string PathOf(string name) => Path.Combine(Directory, name);

    private void OpenSsl(params string[] args)
    {
        var info = new ProcessStartInfo("openssl")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory,
        };
        foreach (string arg in args) info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("could not start openssl");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("openssl is not installed; .ci/run installs it with apt-get (package openssl)", e);
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(s_opensslWait))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"openssl {string.Join(' ', args)} did not finish within {s_opensslWait.TotalSeconds} s");
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        }
    }
}
