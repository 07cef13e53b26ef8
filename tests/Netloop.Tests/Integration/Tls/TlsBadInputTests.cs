using System.Net;
using System.Net.Sockets;
using System.Text;
using Netloop.Server;
using Netloop.Tests.Integration.Http;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Tls;

/// <summary>
/// What is not a TLS client on the TLS port of <c>netloop serve</c>: a plaintext HTTP request is answered 400 (as nginx
/// does) and closed; garbage, a truncated ClientHello and old versions are closed, with OpenSSL's alert when it sends
/// one, counted in the <c>TLS: … failed=N</c> stop line, and no stack trace in the log.
/// </summary>
public sealed class TlsBadInputTests(ITestOutputHelper output)
{
    private const byte AlertRecord = 0x15;
    private const byte Fatal = 2;
    private const byte HandshakeFailure = 40;
    private const byte ProtocolVersion = 70;
    private const byte UnexpectedMessage = 10;

    private readonly TestCertificates _certificates = TestCertificates.Shared;

    public enum Input
    {
        HandshakeRecordOfJunk,
        HandshakeByteThenJunk,
        RandomBytes,
        TruncatedClientHelloThenEnd,
        Ssl3ClientHello,
        Tls10ClientHello,
    }

    [Fact]
    public async Task A_plaintext_request_gets_400_with_a_one_line_body_then_close_and_is_counted()
    {
        await using var server = await TlsServe.StartAsync(output, _certificates.LocalhostEcdsa);

        using var socket = await Clients.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port));
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /plaintext HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n"));
        string reply = await HttpTestApp.ReadToCloseAsync(socket);

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", reply, StringComparison.Ordinal);
        Assert.Equal("close", AppHarness.Header(reply, "Connection"));
        Assert.Equal("400 Bad Request: a plain HTTP request was sent to the HTTPS port\n", AppHarness.Body(reply));
        string log = await server.StopAsync();
        var counters = TlsServe.TlsStopCounters(log);
        Assert.Equal(1, counters["plaintext"]);
        Assert.Equal(0, counters["failed"]);
        TlsServe.AssertNoStackTrace(log);
    }

    [Theory]
    [InlineData(Input.HandshakeRecordOfJunk, UnexpectedMessage)]
    [InlineData(Input.HandshakeByteThenJunk, null)]
    [InlineData(Input.RandomBytes, null)]
    [InlineData(Input.TruncatedClientHelloThenEnd, null)]
    [InlineData(Input.Ssl3ClientHello, HandshakeFailure)]
    [InlineData(Input.Tls10ClientHello, ProtocolVersion)]
    public async Task Bad_input_is_closed_with_openssls_alert_counted_as_failed_and_logs_no_stack_trace(Input input, byte? alert)
    {
        await using var server = await TlsServe.StartAsync(output, _certificates.LocalhostEcdsa);
        byte[] bytes = await BytesAsync(input);

        using var socket = await Clients.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port));
        await socket.SendAsync(bytes);
        if (input == Input.TruncatedClientHelloThenEnd) socket.Shutdown(SocketShutdown.Send);
        byte[] reply = await ReadToCloseAsync(socket);

        output.WriteLine($"sent {bytes.Length} bytes, got back {Convert.ToHexString(reply)}");
        if (alert is { } description)
        {
            // One fatal alert record, then the close.
            Assert.True(reply.Length == 7, $"expected one alert record, got {Convert.ToHexString(reply)}");
            Assert.Equal(AlertRecord, reply[0]);
            Assert.Equal(Fatal, reply[5]);
            Assert.Equal(description, reply[6]);
        }
        else
        {
            // OpenSSL sends no alert for a record it cannot even frame, nor to a peer that has gone.
            Assert.True(reply.Length == 0 || reply[0] == AlertRecord, Convert.ToHexString(reply));
        }
        string log = await server.StopAsync();
        var counters = TlsServe.TlsStopCounters(log);
        Assert.Equal(1, counters["failed"]);
        Assert.Equal(0, counters["handshakes"]);
        TlsServe.AssertNoStackTrace(log);
    }

    [Fact]
    public async Task Stalled_handshakes_are_closed_at_the_in_process_handshake_timeout()
    {
        const int Stalled = 20;
        await using var app = StartInProcess(TimeSpan.FromMilliseconds(500));
        var endPoint = app.App.TlsEndPoint!;
        byte[] hello = await ClientHellos.CaptureAsync();

        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < Stalled; i++)
            {
                var socket = await Clients.ConnectAsync(endPoint);
                sockets.Add(socket);
                if (i % 2 == 1) await socket.SendAsync(hello.AsMemory(0, hello.Length / 2));
            }
            await using (var good = await HttpsTestClient.ConnectAsync(endPoint.Port, _certificates.CaCertificate))
            {
                Assert.Equal((200, "Hello, World!"), await good.GetAsync("/plaintext"));
            }
            await Task.WhenAll(sockets.Select(ClosedAsync)).WaitAsync(Clients.Patience);
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
        await app.App.StopAsync();
        var stopLine = app.Logs.Entries.Single(e => e.Message.StartsWith("TLS: handshakes=", StringComparison.Ordinal));
        var counters = TlsServe.TlsStopCounters(stopLine.Message);
        Assert.Equal(Stalled, counters["timeouts"]);
        Assert.Equal(0, counters["failed"]);
        Assert.Equal(1, counters["handshakes"]);
    }

    [Fact]
    public async Task A_server_that_only_timed_out_handshakes_still_logs_the_tls_stop_line()
    {
        const int Stalled = 3;
        await using var app = StartInProcess(TimeSpan.FromMilliseconds(200));
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < Stalled; i++) sockets.Add(await Clients.ConnectAsync(app.App.TlsEndPoint!));
            await Task.WhenAll(sockets.Select(ClosedAsync)).WaitAsync(Clients.Patience);
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
        await app.App.StopAsync();

        var stopLine = app.Logs.Entries.SingleOrDefault(e => e.Message.StartsWith("TLS: handshakes=", StringComparison.Ordinal));
        Assert.True(stopLine is not null, "no TLS stop line:\n" + string.Join('\n', app.Logs.Entries));
        Assert.Equal(Stalled, TlsServe.TlsStopCounters(stopLine.Message)["timeouts"]);
    }

    private HttpTestApp StartInProcess(TimeSpan handshakeTimeout) => HttpTestApp.Start(
        app => app.MapGet("/plaintext", context => context.Response.WriteText("Hello, World!")),
        builder => builder.Options.Tls = new TlsOptions
        {
            CertificatePath = _certificates.LocalhostEcdsa.Certificate,
            KeyPath = _certificates.LocalhostEcdsa.Key,
            HandshakeTimeout = handshakeTimeout,
            ReloadOnFileChange = false,
        });

    internal static async Task ClosedAsync(Socket socket)
    {
        try
        {
            int n = await socket.ReceiveAsync(new byte[64], SocketFlags.None);
            Assert.True(n == 0, $"the server sent {n} bytes to a stalled handshake");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed with unread input (the half ClientHello): the kernel resets instead of a FIN. Closed all the same.
        }
    }

    private static async Task<byte[]> BytesAsync(Input input) => input switch
    {
        Input.HandshakeRecordOfJunk => [0x16, 3, 1, 0, 5, .. "junk!"u8],
        Input.HandshakeByteThenJunk => [0x16, .. "junk, not a record header"u8],
        Input.RandomBytes => [0x00, .. Clients.RandomBytes(511, seed: 80)],
        Input.TruncatedClientHelloThenEnd => (await ClientHellos.CaptureAsync()) is var hello ? hello[..(hello.Length / 2)] : [],
        Input.Ssl3ClientHello => ClientHellos.OldVersion(0),
        Input.Tls10ClientHello => ClientHellos.OldVersion(1),
        _ => throw new ArgumentOutOfRangeException(nameof(input)),
    };

    private static async Task<byte[]> ReadToCloseAsync(Socket socket)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Clients.Patience);
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0) received.Write(buffer, 0, n);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // A close with our bytes unread resets; what came before the reset is what the server sent.
        }
        return received.ToArray();
    }
}
