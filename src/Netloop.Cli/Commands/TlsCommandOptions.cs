using System.CommandLine;
using System.CommandLine.Parsing;
using Netloop.Cli.Parsing;
using Netloop.Server;

namespace Netloop.Cli.Commands;

/// <summary><c>netloop serve</c>'s TLS options, read into <see cref="TlsOptions"/> (defaults from the library's, so help cannot disagree).</summary>
internal sealed class TlsCommandOptions
{
    private static readonly TlsOptions s_defaults = new();

    public Option<string?> Certificate { get; } = new("--tls-cert")
    {
        Description = "Serve TLS with this certificate: PEM (leaf then chain; RSA or ECDSA) or PKCS#12 (.pfx/.p12). Alone, --port speaks TLS only; with --tls-port, TLS runs beside plaintext. Reloaded on SIGHUP and when the file changes.",
        HelpName = "file",
    };

    public Option<string?> Key { get; } = new("--tls-key")
    {
        Description = "The PEM private key of --tls-cert (leave out when the key is in the certificate file, or for PKCS#12).",
        HelpName = "file",
    };

    public Option<string?> Password { get; } = new("--tls-password")
    {
        Description = "Password of an encrypted PEM key or PKCS#12 file (also from the environment variable NETLOOP_TLS_PASSWORD, which ps cannot show).",
        HelpName = "password",
    };

    public Option<int?> Port { get; } = new("--tls-port")
    {
        Description = "Listen for TLS on this port too, beside plaintext on --port (0 picks a free port). Default: none, --port speaks TLS only.",
        HelpName = "port",
        CustomParser = IntegerParser.InRange(0, 65535),
    };

    public Option<string[]> ServerNames { get; } = new("--tls-sni")
    {
        Description = "A certificate chosen by SNI host name: host=cert.pem[,key.pem] (host may be *.example.com); repeatable. Other names get --tls-cert.",
        HelpName = "host=cert[,key]",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<TimeSpan?> HandshakeTimeout { get; } = new("--tls-handshake-timeout")
    {
        Description = $"Close a connection that has not finished its TLS handshake within this time. Default: {DurationParser.Format(s_defaults.HandshakeTimeout)}.",
        HelpName = "duration",
        CustomParser = DurationParser.Parse,
    };

    public Option<string?> ClientCa { get; } = new("--tls-client-ca")
    {
        Description = "Ask clients for a certificate issued by the CAs in this PEM file (handlers see it as HttpContext.Connection.ClientCertificate).",
        HelpName = "file",
    };

    public Option<ClientCertificateMode?> ClientCertificate { get; } = new("--tls-client-cert")
    {
        Description = "With --tls-client-ca: require (a client without a valid certificate is refused; the default) or request (one without any is served).",
        HelpName = "require|request",
        CustomParser = ParseClientCertificateMode,
    };

    public IEnumerable<Option> All => [Certificate, Key, Password, Port, ServerNames, HandshakeTimeout, ClientCa, ClientCertificate];

    /// <summary>The TLS settings asked for, null when <c>--tls-cert</c> is absent; throws <see cref="ArgumentException"/> for an option that needs it or a malformed <c>--tls-sni</c>.</summary>
    public TlsOptions? Read(ParseResult parse)
    {
        string? certificate = parse.GetValue(Certificate);
        if (certificate is null)
        {
            foreach (var option in All)
            {
                if (parse.GetResult(option) is { Implicit: false }) throw new ArgumentException($"{option.Name} needs --tls-cert");
            }
            return null;
        }
        string? ca = parse.GetValue(ClientCa);
        var mode = parse.GetValue(ClientCertificate);
        if (mode is not null && ca is null) throw new ArgumentException("--tls-client-cert needs --tls-client-ca");
        var options = new TlsOptions
        {
            CertificatePath = Path.GetFullPath(certificate),
            KeyPath = parse.GetValue(Key) is string key ? Path.GetFullPath(key) : null,
            Password = parse.GetValue(Password) ?? Environment.GetEnvironmentVariable("NETLOOP_TLS_PASSWORD"),
            Port = parse.GetValue(Port),
            HandshakeTimeout = parse.GetValue(HandshakeTimeout) ?? s_defaults.HandshakeTimeout,
            ClientCertificateAuthorityPath = ca is null ? null : Path.GetFullPath(ca),
            ClientCertificateMode = ca is null ? ClientCertificateMode.NoCertificate : mode ?? ClientCertificateMode.RequireCertificate,
        };
        foreach (var entry in parse.GetValue(ServerNames) ?? []) options.ServerNames.Add(ParseServerName(entry));
        return options;
    }

    private static TlsServerName ParseServerName(string entry)
    {
        int equals = entry.IndexOf('=');
        if (equals <= 0 || equals == entry.Length - 1) throw new ArgumentException($"--tls-sni '{entry}': expected host=cert.pem[,key.pem]");
        var files = entry[(equals + 1)..].Split(',', 2);
        return new TlsServerName
        {
            HostName = entry[..equals],
            CertificatePath = Path.GetFullPath(files[0]),
            KeyPath = files.Length > 1 && files[1].Length > 0 ? Path.GetFullPath(files[1]) : null,
        };
    }

    private static ClientCertificateMode? ParseClientCertificateMode(ArgumentResult result) => InvalidValue.Token(result) switch
    {
        "require" => ClientCertificateMode.RequireCertificate,
        "request" => ClientCertificateMode.AllowCertificate,
        _ => InvalidValue.Report<ClientCertificateMode?>(result, "require or request"),
    };
}
