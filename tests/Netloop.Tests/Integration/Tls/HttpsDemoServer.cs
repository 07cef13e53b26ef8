using Xunit.Abstractions;
using Xunit.Sdk;

namespace Netloop.Tests.Integration.Tls;

/// <summary>
/// One <c>netloop serve --protocol http</c> speaking TLS only, shared by a test class: the localhost ECDSA certificate
/// by default and <c>a.test</c>/<c>b.test</c> by SNI. Disposal stops it with SIGTERM and requires a clean exit.
/// </summary>
public sealed class HttpsDemoServer(IMessageSink sink) : IAsyncLifetime
{
    private readonly ITestOutputHelper _log = new SinkOutput(sink);
    private TlsServe? _server;

    public TestCertificates Certificates { get; } = TestCertificates.Shared;

    internal TlsServe Server => _server ?? throw new InvalidOperationException("the server did not start");

    public async Task InitializeAsync()
    {
        var certificates = Certificates;
        _server = await TlsServe.StartAsync(_log, certificates.LocalhostEcdsa,
            "--tls-sni", $"a.test={certificates.HostA.Certificate},{certificates.HostA.Key}",
            "--tls-sni", $"b.test={certificates.HostB.Certificate},{certificates.HostB.Key}");
    }

    public async Task DisposeAsync()
    {
        if (_server is null) return;
        await using (_server)
        {
            await _server.StopAsync();
        }
    }

    private sealed class SinkOutput(IMessageSink sink) : ITestOutputHelper
    {
        public void WriteLine(string message) => sink.OnMessage(new DiagnosticMessage(message));

        public void WriteLine(string format, params object[] args) => sink.OnMessage(new DiagnosticMessage(format, args));
    }
}
