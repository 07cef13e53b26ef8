using System.Text;

namespace Netloop.Transport.Tls;

/// <summary>
/// The contexts of one load of the certificate files: the default and those chosen by SNI host name (exact names, and
/// <c>*.example.com</c> for one label under the domain). Replaced whole on reload; never changed after it is made.
/// </summary>
internal sealed class TlsCertificateSet : IDisposable
{
    private readonly List<TlsServerContext> _all;
    private readonly Dictionary<string, TlsServerContext> _byName;
    private readonly Dictionary<string, TlsServerContext> _byWildcardParent;

    private TlsCertificateSet(List<TlsServerContext> all, Dictionary<string, TlsServerContext> byName, Dictionary<string, TlsServerContext> byWildcardParent)
    {
        _all = all;
        _byName = byName;
        _byWildcardParent = byWildcardParent;
    }

    public TlsServerContext Default => _all[0];

    public IReadOnlyList<TlsServerContext> All => _all;

    /// <summary>Reads every certificate of <paramref name="settings"/> and makes its context; throws on the first bad one.</summary>
    public static TlsCertificateSet Load(TlsSettings settings, TlsEndpoint endpoint)
    {
        var all = new List<TlsServerContext>();
        var byName = new Dictionary<string, TlsServerContext>(StringComparer.OrdinalIgnoreCase);
        var byWildcardParent = new Dictionary<string, TlsServerContext>(StringComparer.OrdinalIgnoreCase);
        int load = endpoint.NextLoad();
        try
        {
            foreach (var source in settings.Certificates)
            {
                var certificate = TlsCertificate.Load(source.CertificatePath, source.KeyPath, source.Password, DateTime.UtcNow);
                var context = TlsServerContext.Create(certificate, settings, endpoint, load);
                all.Add(context);
                foreach (var host in source.HostNames)
                {
                    string name = host.Trim().TrimEnd('.');
                    if (name.StartsWith("*.", StringComparison.Ordinal)) byWildcardParent.TryAdd(name[2..], context);
                    else byName.TryAdd(name, context);
                }
            }
        }
        catch
        {
            foreach (var context in all) context.Dispose();
            throw;
        }
        return new TlsCertificateSet(all, byName, byWildcardParent);
    }

    /// <summary>The context for the SNI <paramref name="hostName"/>, or null for the default.</summary>
    public TlsServerContext? Find(ReadOnlySpan<byte> hostName)
    {
        if (hostName.IsEmpty || hostName.Length > 253) return null;
        string name = Encoding.ASCII.GetString(hostName).TrimEnd('.');
        if (_byName.TryGetValue(name, out var exact)) return exact;
        int dot = name.IndexOf('.');
        return dot > 0 && _byWildcardParent.TryGetValue(name[(dot + 1)..], out var wildcard) ? wildcard : null;
    }

    public void Dispose()
    {
        foreach (var context in _all) context.Dispose();
    }
}
