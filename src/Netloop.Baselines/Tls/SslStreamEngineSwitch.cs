using Microsoft.Extensions.Logging;
using Netloop.Transport;

namespace Netloop.Baselines.Tls;

/// <summary>
/// The experimental switch that puts TLS candidate (A) in front of any server <see cref="ModeServer"/> creates
/// (<c>netloop serve</c> included), for the P8 design measurement: <c>NETLOOP_TLS_ENGINE=sslstream</c> with
/// <c>NETLOOP_TLS_CERT</c> and <c>NETLOOP_TLS_KEY</c> naming PEM files. An environment variable rather than an option,
/// so the product's own TLS options stay free to mean the product's engine.
/// </summary>
internal static class SslStreamEngineSwitch
{
    public const string EngineVariable = "NETLOOP_TLS_ENGINE";
    public const string CertificateVariable = "NETLOOP_TLS_CERT";
    public const string KeyVariable = "NETLOOP_TLS_KEY";
    public const string EngineName = "sslstream";

    /// <summary>
    /// <paramref name="protocol"/> behind SslStream when the switch is set, else unchanged. Throws
    /// <see cref="ArgumentException"/> for an unknown engine or a certificate that does not load.
    /// </summary>
    public static IConnectionProtocolFactory Apply(IConnectionProtocolFactory protocol, ILoggerFactory? loggers)
    {
        string? engine = Environment.GetEnvironmentVariable(EngineVariable);
        if (string.IsNullOrEmpty(engine)) return protocol;
        if (engine != EngineName) throw new ArgumentException($"{EngineVariable}={engine}: the only experimental TLS engine is '{EngineName}'");
        string certificate = Environment.GetEnvironmentVariable(CertificateVariable) ?? throw new ArgumentException($"{EngineVariable}={EngineName} needs {CertificateVariable} (a PEM certificate)");
        string key = Environment.GetEnvironmentVariable(KeyVariable) ?? throw new ArgumentException($"{EngineVariable}={EngineName} needs {KeyVariable} (a PEM private key)");
        try
        {
            return SslStreamProtocolFactory.FromPemFiles(protocol, certificate, key, loggers?.CreateLogger("Netloop.Tls"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new ArgumentException($"{CertificateVariable}/{KeyVariable}: {e.Message}", e);
        }
    }
}
