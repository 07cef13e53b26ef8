using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Netloop.Transport.Tls;

/// <summary>
/// A server certificate read from disk and checked, as the DER bytes OpenSSL takes: the leaf, its chain, and the key as
/// PKCS#8. Reading goes through .NET's X509 loaders (PEM with RSA or ECDSA keys, encrypted or not, or PKCS#12), so a
/// bad file is refused here with one line a user can act on, before any SSL_CTX is made.
/// </summary>
internal sealed class TlsCertificate
{
    private TlsCertificate(byte[] leaf, byte[][] chain, byte[] key, string subject, string serial, DateTime notAfter)
    {
        LeafDer = leaf;
        ChainDer = chain;
        PrivateKeyPkcs8 = key;
        Subject = subject;
        SerialNumber = serial;
        NotAfter = notAfter;
    }

    public byte[] LeafDer { get; }

    public byte[][] ChainDer { get; }

    public byte[] PrivateKeyPkcs8 { get; }

    public string Subject { get; }

    public string SerialNumber { get; }

    public DateTime NotAfter { get; }

    /// <summary>
    /// Reads <paramref name="certificatePath"/>: a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>, or any file that is not PEM) or
    /// PEM certificates (leaf first, then its chain) with the key in <paramref name="keyPath"/> or, when that is null, in
    /// the same file. Throws <see cref="NetloopException"/> naming the file and the fault.
    /// </summary>
    public static TlsCertificate Load(string certificatePath, string? keyPath, string? password, DateTime utcNow)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificatePath);
        string certificateText = ReadText(certificatePath, "certificate");
        bool pem = certificateText.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
        var loaded = pem ? LoadPem(certificatePath, certificateText, keyPath, password) : LoadPkcs12(certificatePath, password);
        using var leaf = loaded.Leaf;
        if (leaf.NotAfter.ToUniversalTime() < utcNow)
            throw new NetloopException($"TLS certificate {certificatePath} expired on {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC ({leaf.Subject})");
        if (leaf.NotBefore.ToUniversalTime() > utcNow)
            throw new NetloopException($"TLS certificate {certificatePath} is not valid before {leaf.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC ({leaf.Subject})");
        byte[] key = ExportKey(leaf, certificatePath);
        var chain = loaded.Chain.Select(c => c.RawData).ToArray();
        foreach (var c in loaded.Chain) c.Dispose();
        return new TlsCertificate(leaf.RawData, chain, key, leaf.Subject, leaf.SerialNumber, leaf.NotAfter.ToUniversalTime());
    }

    private static (X509Certificate2 Leaf, List<X509Certificate2> Chain) LoadPem(string path, string text, string? keyPath, string? password)
    {
        var all = new X509Certificate2Collection();
        try
        {
            all.ImportFromPem(text);
        }
        catch (CryptographicException e)
        {
            throw new NetloopException($"TLS certificate {path} is not a valid PEM certificate: {e.Message}");
        }
        if (all.Count == 0) throw new NetloopException($"TLS certificate {path} holds no certificate");
        string keySource = keyPath ?? path;
        string keyText = keyPath is null ? text : ReadText(keyPath, "key");
        if (!keyText.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw new NetloopException(keyPath is null
                ? $"TLS certificate {path} holds no private key: give the key file too (--tls-key)"
                : $"TLS key {keyPath} holds no PEM private key");
        string leafPem = all[0].ExportCertificatePem();
        X509Certificate2 leaf;
        try
        {
            leaf = password is null ? X509Certificate2.CreateFromPem(leafPem, keyText) : X509Certificate2.CreateFromEncryptedPem(leafPem, keyText, password);
        }
        catch (CryptographicException e)
        {
            throw new NetloopException($"TLS key {keySource} does not fit certificate {path} ({all[0].Subject}), or cannot be read: {e.Message}");
        }
        var chain = new List<X509Certificate2>();
        for (int i = 1; i < all.Count; i++) chain.Add(all[i]);
        all[0].Dispose();
        return (leaf, chain);
    }

    private static (X509Certificate2 Leaf, List<X509Certificate2> Chain) LoadPkcs12(string path, string? password)
    {
        X509Certificate2Collection all;
        try
        {
            all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, password, X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException e)
        {
            throw new NetloopException($"TLS certificate {path} is neither PEM nor a PKCS#12 file this password opens: {e.Message}");
        }
        X509Certificate2? leaf = null;
        var chain = new List<X509Certificate2>();
        foreach (var c in all)
        {
            if (leaf is null && c.HasPrivateKey) leaf = c;
            else chain.Add(c);
        }
        if (leaf is null)
        {
            foreach (var c in chain) c.Dispose();
            throw new NetloopException($"TLS certificate {path} (PKCS#12) holds no certificate with a private key");
        }
        return (leaf, chain);
    }

    private static byte[] ExportKey(X509Certificate2 leaf, string path)
    {
        try
        {
            using AsymmetricAlgorithm? key = (AsymmetricAlgorithm?)leaf.GetECDsaPrivateKey() ?? leaf.GetRSAPrivateKey();
            if (key is null) throw new NetloopException($"TLS certificate {path}: only RSA and ECDSA keys are supported ({leaf.PublicKey.Oid.FriendlyName})");
            return key.ExportPkcs8PrivateKey();
        }
        catch (CryptographicException e)
        {
            throw new NetloopException($"TLS certificate {path}: its private key cannot be exported: {e.Message}");
        }
    }

    private static string ReadText(string path, string what)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new NetloopException($"TLS {what} file not found: {path}");
            if (info.Length > 1 << 20) throw new NetloopException($"TLS {what} file {path} is larger than 1 MiB");
            // PKCS#12 is binary: read as Latin-1 so the PEM test never fails on bytes that are not UTF-8.
            return File.ReadAllText(path, System.Text.Encoding.Latin1);
        }
        catch (UnauthorizedAccessException)
        {
            throw new NetloopException($"TLS {what} file {path} cannot be read: permission denied");
        }
        catch (IOException e)
        {
            throw new NetloopException($"TLS {what} file {path} cannot be read: {e.Message}");
        }
    }
}
