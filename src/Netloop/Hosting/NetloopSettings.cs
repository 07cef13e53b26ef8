using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Netloop.Protocols.Http1;
using Netloop.Protocols.Http2;
using Netloop.Server;

namespace Netloop.Hosting;

/// <summary>
/// Reads the <c>Netloop</c> configuration section into <see cref="NetloopOptions"/>, key by key and by hand (no
/// reflection binder: the library stays trimmable and AOT-safe, and every bad value gets a message naming its key and
/// the values allowed). Keys absent from configuration leave the option as it was.
/// </summary>
internal static class NetloopSettings
{
    /// <summary>The configuration section holding Netloop's keys.</summary>
    public const string SectionName = "Netloop";

    /// <summary>
    /// The command-line switches that stand for keys of the section (<c>--port 8080</c> is <c>--Netloop:Port 8080</c>),
    /// named as <c>netloop serve</c> names its options.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["--address"] = "Netloop:Address",
        ["--port"] = "Netloop:Port",
        ["--mode"] = "Netloop:Mode",
        ["--loops"] = "Netloop:Loops",
        ["--max-connections"] = "Netloop:MaxConnections",
        ["--idle-timeout"] = "Netloop:IdleTimeout",
        ["--shutdown-timeout"] = "Netloop:ShutdownTimeout",
        ["--send-timeout"] = "Netloop:SendTimeout",
        ["--request-headers-timeout"] = "Netloop:Limits:RequestHeadersTimeout",
        ["--min-request-body-data-rate"] = "Netloop:Limits:MinRequestBodyDataRate",
        ["--drain-grace"] = "Netloop:ShutdownDrainGrace",
        ["--backlog"] = "Netloop:Backlog",
        ["--reuse-port"] = "Netloop:ReusePort",
        ["--no-delay"] = "Netloop:NoDelay",
        ["--handler-threads"] = "Netloop:HandlerThreads",
        ["--tls-cert"] = "Netloop:Tls:Certificate",
        ["--tls-key"] = "Netloop:Tls:Key",
        ["--tls-password"] = "Netloop:Tls:Password",
        ["--tls-port"] = "Netloop:Tls:Port",
        ["--tls-handshake-timeout"] = "Netloop:Tls:HandshakeTimeout",
        ["--tls-client-ca"] = "Netloop:Tls:ClientCertificateAuthority",
        ["--tls-client-cert"] = "Netloop:Tls:ClientCertificateMode",
        ["--max-connections-per-ip"] = "Netloop:PerIpLimits:MaxConnectionsPerIp",
        ["--rate-limit"] = "Netloop:PerIpLimits:RequestsPerSecond",
        ["--burst"] = "Netloop:PerIpLimits:Burst",
        ["--ipv6-prefix"] = "Netloop:PerIpLimits:Ipv6PrefixLength",
        ["--max-tracked-addresses"] = "Netloop:PerIpLimits:MaxTrackedAddresses",
    };

    /// <summary>Applies every key present in <paramref name="section"/>; returns the first bad value's message, or null.</summary>
    public static string? Bind(IConfiguration section, NetloopOptions options)
    {
        var reader = new Reader(section);
        var server = options.Server;
        var limits = options.Limits;
        reader.Address("Address", v => server.Address = v);
        reader.Int("Port", 0, 65535, v => server.Port = v);
        reader.Mode("Mode", v => server.Poller = v);
        reader.Int("Loops", 1, 1024, v => server.Loops = v);
        reader.Int("MaxConnections", 1, int.MaxValue, v => server.MaxConnections = v);
        reader.Duration("IdleTimeout", allowZero: true, v => server.IdleTimeout = v);
        reader.Duration("ShutdownTimeout", allowZero: true, v => server.ShutdownTimeout = v);
        reader.Duration("SendTimeout", allowZero: true, v => server.SendTimeout = v);
        reader.Duration("ShutdownDrainGrace", allowZero: true, v => server.ShutdownDrainGrace = v);
        reader.Int("OutputHighWaterMark", 1024, int.MaxValue, v => server.OutputHighWaterMark = v);
        reader.Int("Backlog", 1, int.MaxValue, v => server.Backlog = v);
        reader.Bool("ReusePort", v => server.ReusePort = v);
        reader.Bool("NoDelay", v => server.NoDelay = v);
        reader.Int("HandlerThreads", 0, 1024, v => options.HandlerThreads = v);
        reader.Int("Limits:MaxRequestLineSize", 1, int.MaxValue, v => limits.MaxRequestLineSize = v);
        reader.Int("Limits:MaxRequestHeadersTotalSize", 1, int.MaxValue, v => limits.MaxRequestHeadersTotalSize = v);
        reader.Int("Limits:MaxRequestHeaderCount", 1, int.MaxValue, v => limits.MaxRequestHeaderCount = v);
        reader.OptionalLong("Limits:MaxRequestBodySize", v => limits.MaxRequestBodySize = v);
        reader.Int("Limits:MaxChunkExtensionLength", 1, int.MaxValue, v => limits.MaxChunkExtensionLength = v);
        reader.Int("Limits:MaxTrailerSize", 1, int.MaxValue, v => limits.MaxTrailerSize = v);
        reader.Duration("Limits:RequestHeadersTimeout", allowZero: false, v => limits.RequestHeadersTimeout = v);
        reader.Rate("Limits:MinRequestBodyDataRate", v => limits.MinRequestBodyDataRate = v);
        reader.Duration("Limits:MinRequestBodyDataRateGracePeriod", allowZero: true, v => limits.MinRequestBodyDataRateGracePeriod = v);
        reader.Protocols("Limits:Protocols", v => limits.Protocols = v);
        BindHttp2(reader, limits.Http2);
        BindPerIp(reader, server.PerIpLimits);
        if (reader.Error is null) BindTls(section, options.Server, reader);
        return reader.Error;
    }

    /// <summary>
    /// <c>Netloop:Tls</c>: present when <c>Certificate</c> is, with <c>Key</c>, <c>Password</c>, <c>Port</c>,
    /// <c>HandshakeTimeout</c>, <c>ClientCertificateAuthority</c>, <c>ClientCertificateMode</c> (require or request),
    /// <c>ReloadOnFileChange</c> and <c>Sni:HOST:Certificate</c> / <c>Sni:HOST:Key</c> / <c>Sni:HOST:Password</c> per host name.
    /// </summary>
    private static void BindTls(IConfiguration section, ServerOptions server, Reader reader)
    {
        var tlsSection = section.GetSection("Tls");
        if (string.IsNullOrWhiteSpace(tlsSection["Certificate"]))
        {
            var stray = tlsSection.GetChildren().FirstOrDefault();
            if (stray is not null) reader.ErrorOverride = $"{SectionName}:Tls:{stray.Key} needs {SectionName}:Tls:Certificate";
            return;
        }
        var tls = server.Tls ?? new TlsOptions();
        tls.CertificatePath = Path.GetFullPath(tlsSection["Certificate"]!);
        if (tlsSection["Key"] is { Length: > 0 } key) tls.KeyPath = Path.GetFullPath(key);
        if (tlsSection["Password"] is { } password) tls.Password = password;
        reader.Int("Tls:Port", 0, 65535, v => tls.Port = v);
        reader.Duration("Tls:HandshakeTimeout", allowZero: false, v => tls.HandshakeTimeout = v);
        reader.Bool("Tls:ReloadOnFileChange", v => tls.ReloadOnFileChange = v);
        if (tlsSection["ClientCertificateAuthority"] is { Length: > 0 } ca)
        {
            tls.ClientCertificateAuthorityPath = Path.GetFullPath(ca);
            tls.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        }
        reader.ClientCertificates("Tls:ClientCertificateMode", v => tls.ClientCertificateMode = v);
        foreach (var host in tlsSection.GetSection("Sni").GetChildren())
        {
            if (host["Certificate"] is not { Length: > 0 } certificate)
            {
                reader.ErrorOverride = $"{SectionName}:Tls:Sni:{host.Key}:Certificate is missing";
                return;
            }
            tls.ServerNames.Add(new TlsServerName
            {
                HostName = host.Key,
                CertificatePath = Path.GetFullPath(certificate),
                KeyPath = host["Key"] is { Length: > 0 } sniKey ? Path.GetFullPath(sniKey) : null,
                Password = host["Password"],
            });
        }
        server.Tls = tls;
    }

    /// <summary><c>Netloop:PerIpLimits</c>: connections and request rate per client address (see <see cref="PerIpLimitOptions"/>).</summary>
    private static void BindPerIp(Reader reader, PerIpLimitOptions perIp)
    {
        reader.Int("PerIpLimits:MaxConnectionsPerIp", 0, int.MaxValue, v => perIp.MaxConnectionsPerIp = v);
        reader.RequestRate("PerIpLimits:RequestsPerSecond", v => perIp.RequestsPerSecond = v);
        reader.Int("PerIpLimits:Burst", 0, int.MaxValue, v => perIp.Burst = v);
        reader.Int("PerIpLimits:Ipv6PrefixLength", 0, 128, v => perIp.Ipv6PrefixLength = v);
        reader.Int("PerIpLimits:MaxTrackedAddresses", 1, int.MaxValue, v => perIp.MaxTrackedAddresses = v);
        reader.Duration("PerIpLimits:EntryExpiry", allowZero: true, v => perIp.EntryExpiry = v);
    }

    private static void BindHttp2(Reader reader, Http2Limits http2)
    {
        reader.Int("Limits:Http2:MaxConcurrentStreams", 1, int.MaxValue, v => http2.MaxConcurrentStreams = v);
        reader.Int("Limits:Http2:InitialStreamWindowSize", 0, int.MaxValue, v => http2.InitialStreamWindowSize = v);
        reader.Int("Limits:Http2:InitialConnectionWindowSize", 65_535, int.MaxValue, v => http2.InitialConnectionWindowSize = v);
        reader.Int("Limits:Http2:MaxFrameSize", 16 * 1024, 512 * 1024, v => http2.MaxFrameSize = v);
        reader.Int("Limits:Http2:HeaderTableSize", 0, 1024 * 1024, v => http2.HeaderTableSize = v);
        reader.Int("Limits:Http2:MaxHeaderListSize", 1024, 16 * 1024 * 1024, v => http2.MaxHeaderListSize = v);
        reader.Int("Limits:Http2:MaxHeaderBlockFrames", 1, 10_000, v => http2.MaxHeaderBlockFrames = v);
        reader.Int("Limits:Http2:MaxStreamsPerConnection", 1, int.MaxValue, v => http2.MaxStreamsPerConnection = v);
        reader.Duration("Limits:Http2:FloodInterval", allowZero: false, v => http2.FloodInterval = v);
        reader.Int("Limits:Http2:MaxResetsPerInterval", 1, int.MaxValue, v => http2.MaxResetsPerInterval = v);
        reader.Int("Limits:Http2:MaxSettingsPerInterval", 1, int.MaxValue, v => http2.MaxSettingsPerInterval = v);
        reader.Int("Limits:Http2:MaxPingsPerInterval", 1, int.MaxValue, v => http2.MaxPingsPerInterval = v);
        reader.Int("Limits:Http2:MaxEmptyFramesPerInterval", 1, int.MaxValue, v => http2.MaxEmptyFramesPerInterval = v);
        reader.Int("Limits:Http2:MaxPriorityFramesPerInterval", 1, int.MaxValue, v => http2.MaxPriorityFramesPerInterval = v);
        reader.Int("Limits:Http2:MaxWindowUpdatesPerInterval", 1, int.MaxValue, v => http2.MaxWindowUpdatesPerInterval = v);
        reader.Int("Limits:Http2:MaxRefusedStreamsPerInterval", 1, int.MaxValue, v => http2.MaxRefusedStreamsPerInterval = v);
        reader.Duration("Limits:Http2:FlowControlStallTimeout", allowZero: false, v => http2.FlowControlStallTimeout = v);
        reader.Duration("Limits:Http2:PrefaceTimeout", allowZero: false, v => http2.PrefaceTimeout = v);
    }

    /// <summary>The message for a value outside what <paramref name="key"/> allows.</summary>
    public static string Invalid(string key, string allowed, string value) =>
        $"configuration '{SectionName}:{key}' must be {allowed}, got {(value.Length == 0 ? "an empty value" : value)}";

    /// <summary>Reads keys one at a time and keeps the first error (one line is what the user sees).</summary>
    private sealed class Reader(IConfiguration section)
    {
        private string? _error;

        public string? Error
        {
            get => _error;
            private set => _error = value;
        }

        /// <summary>Sets the error directly (a message that is not about one value's form).</summary>
        public string? ErrorOverride
        {
            set => _error = value;
        }

        public void ClientCertificates(string key, Action<ClientCertificateMode> apply)
        {
            if (Value(key) is not { } text) return;
            switch (text.Trim().ToLowerInvariant())
            {
                case "require" or "requirecertificate": apply(ClientCertificateMode.RequireCertificate); break;
                case "request" or "allow" or "allowcertificate": apply(ClientCertificateMode.AllowCertificate); break;
                case "none" or "nocertificate": apply(ClientCertificateMode.NoCertificate); break;
                default: Fail(key, "require, request or none", text); break;
            }
        }

        public void Int(string key, int min, int max, Action<int> apply)
        {
            if (Value(key) is not { } text) return;
            string allowed = max == int.MaxValue ? $"a whole number of at least {min}" : $"{min}-{max}";
            if (int.TryParse(text, NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max) apply(n);
            else Fail(key, allowed, text);
        }

        public void OptionalLong(string key, Action<long?> apply)
        {
            if (Value(key) is not { } text) return;
            if (text.Trim().Equals("unlimited", StringComparison.OrdinalIgnoreCase)) apply(null);
            else if (long.TryParse(text, NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out long n) && n >= 0) apply(n);
            else Fail(key, "a whole number of bytes of at least 0, or 'unlimited'", text);
        }

        public void Rate(string key, Action<double> apply)
        {
            if (Value(key) is not { } text) return;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double rate) && double.IsFinite(rate) && rate >= 0) apply(rate);
            else Fail(key, "bytes per second of at least 0 (0 disables the check)", text);
        }

        public void RequestRate(string key, Action<double> apply)
        {
            if (Value(key) is not { } text) return;
            if (RequestRateText.TryParse(text, out double rate)) apply(rate);
            else Fail(key, RequestRateText.Expected, text);
        }

        public void Bool(string key, Action<bool> apply)
        {
            if (Value(key) is not { } text) return;
            if (bool.TryParse(text.Trim(), out bool b)) apply(b);
            else Fail(key, "true or false", text);
        }

        /// <summary>
        /// A TimeSpan as .NET configuration writes it (<c>00:00:30</c>). A bare number is refused: TimeSpan reads "30"
        /// as 30 days, which nobody who types it means.
        /// </summary>
        public void Duration(string key, bool allowZero, Action<TimeSpan> apply)
        {
            if (Value(key) is not { } text) return;
            string allowed = allowZero ? "a duration hh:mm:ss of at least 00:00:00" : "a duration hh:mm:ss greater than 00:00:00";
            if (text.Contains(':', StringComparison.Ordinal)
                && TimeSpan.TryParse(text.Trim(), CultureInfo.InvariantCulture, out var duration)
                && (allowZero ? duration >= TimeSpan.Zero : duration > TimeSpan.Zero))
            {
                apply(duration);
            }
            else
            {
                Fail(key, allowed, text);
            }
        }

        public void Address(string key, Action<IPAddress> apply)
        {
            if (Value(key) is not { } text) return;
            if (IPAddress.TryParse(text.Trim(), out var address)) apply(address);
            else Fail(key, "an IPv4 or IPv6 address (127.0.0.1, 0.0.0.0, ::1, ::)", text);
        }

        /// <summary>Only the reactor's pollers: the comparison baselines are not something to configure an app with.</summary>
        public void Mode(string key, Action<Poller> apply)
        {
            if (Value(key) is not { } text) return;
            if (PollerNames.TryParse(text.Trim(), out var poller)) apply(poller);
            else Fail(key, "epoll or poll", text);
        }

        public void Protocols(string key, Action<HttpProtocols> apply)
        {
            if (Value(key) is not { } text) return;
            text = text.Trim();
            foreach (var value in new[] { HttpProtocols.Http1, HttpProtocols.Http2, HttpProtocols.Http1AndHttp2 })
            {
                if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
                {
                    apply(value);
                    return;
                }
            }
            Fail(key, "Http1, Http2 or Http1AndHttp2", text);
        }

        private string? Value(string key) => Error is null ? section[key] : null;

        private void Fail(string key, string allowed, string value) => Error = Invalid(key, allowed, value);
    }
}
