using System.Net;
using System.Net.Sockets;
using Netloop.Bench.Running;
using Netloop.Tests.Integration.Http2;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Tls;

/// <summary>
/// Many TLS connections at once against <c>netloop serve</c>: h2load over TLS, and a thousand handshakes that stall
/// while a good client is served. They run alone (the load collection): each takes both cores for a moment.
/// </summary>
[Collection(nameof(Http2LoadRuns))]
public sealed class TlsLoadTests(ITestOutputHelper output)
{
    private readonly TestCertificates _certificates = TestCertificates.Shared;

    [Theory]
    [InlineData("ecdsa")]
    [InlineData("rsa")]
    public async Task H2load_over_tls_gets_no_error_and_no_failure(string key)
    {
        var certificate = key == "rsa" ? _certificates.LocalhostRsa : _certificates.LocalhostEcdsa;
        await using var server = await TlsServe.StartAsync(output, certificate);

        var run = await Http2Tools.RunAsync(output, "h2load", ["-n", "20000", "-c", "50", "-m", "10", "-t", "1", "-T", "30", server.Url("/plaintext")], TimeSpan.FromSeconds(180));

        Assert.True(run.ExitCode == 0, run.Describe());
        var summary = H2LoadOutput.Parse(run.StdOutText, out string? error);
        Assert.True(summary is not null, $"{error}:\n{run.Describe()}");
        Assert.True(summary.Succeeded == 20000 && summary.Failed == 0 && summary.Errored == 0 && summary.TimedOut == 0 && summary.Status2xx == 20000, run.Describe());
        Assert.Contains("Application protocol: h2", run.StdOutText, StringComparison.Ordinal);
        Assert.Contains("TLS Protocol: TLSv1.3", run.StdOutText, StringComparison.Ordinal);
        var counters = TlsServe.TlsStopCounters(await server.StopAsync());
        Assert.Equal(50, counters["handshakes"]);
        Assert.Equal(0, counters["failed"]);
    }

    [Fact]
    public async Task A_thousand_stalled_handshakes_are_closed_at_the_timeout_while_a_good_client_is_served()
    {
        const int Stalled = 1000;
        await using var server = await TlsServe.StartAsync(output, _certificates.LocalhostEcdsa, "--tls-handshake-timeout", "2s");
        var endPoint = new IPEndPoint(IPAddress.Loopback, server.Port);
        byte[] hello = await ClientHellos.CaptureAsync();
        var sockets = new List<Socket>(Stalled);
        int served = 0;
        try
        {
            // Half send nothing after connecting; half stop in the middle of their ClientHello.
            for (int i = 0; i < Stalled; i++)
            {
                var socket = await Clients.ConnectAsync(endPoint);
                sockets.Add(socket);
                if (i % 2 == 1) await socket.SendAsync(hello.AsMemory(0, hello.Length / 2));
            }
            var allClosed = Task.WhenAll(sockets.Select(TlsBadInputTests.ClosedAsync));
            // A good client, each request on a new connection (a full handshake), until the stalled ones are all gone.
            do
            {
                await using var good = await HttpsTestClient.ConnectAsync(server.Port, _certificates.CaCertificate);
                Assert.Equal((200, "Hello, World!"), await good.GetAsync("/plaintext"));
                served++;
            }
            while (!allClosed.IsCompleted && served < 10_000);
            await allClosed.WaitAsync(Clients.Patience);
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
        output.WriteLine($"{served} good requests served while the stalled handshakes timed out");
        string log = await server.StopAsync();
        var counters = TlsServe.TlsStopCounters(log);
        Assert.Equal(Stalled, counters["timeouts"]);
        Assert.Equal(0, counters["failed"]);
        Assert.Equal(served, counters["handshakes"]);
        TlsServe.AssertNoStackTrace(log);
    }
}
