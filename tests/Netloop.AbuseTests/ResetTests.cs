using System.Net.Sockets;
using System.Text;
using Netloop.AbuseTests.Support;
using Xunit.Abstractions;

namespace Netloop.AbuseTests;

/// <summary>
/// Clients that vanish at every phase of an exchange (a reset, RST by SO_LINGER 0), half-close, or connect and say
/// nothing: each phase leaves no fd behind while the server runs (its fd count returns to where it was), a good client
/// is served after it, and the shutdown audit finds nothing left (<c>leaks: none</c>, no pooled buffer outstanding).
/// </summary>
public sealed class ResetTests(ITestOutputHelper output)
{
    private const int Clients = 50;

    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(15);

    public enum Phase
    {
        MidRequestLine,
        MidHeaders,
        MidBody,
        MidChunkedBody,
        MidResponse,
        MidTlsHandshake,
        MidTlsRequest,
    }

    [Theory]
    [InlineData(Phase.MidRequestLine)]
    [InlineData(Phase.MidHeaders)]
    [InlineData(Phase.MidBody)]
    [InlineData(Phase.MidChunkedBody)]
    [InlineData(Phase.MidResponse)]
    [InlineData(Phase.MidTlsHandshake)]
    [InlineData(Phase.MidTlsRequest)]
    public async Task A_reset_leaves_nothing_behind(Phase phase)
    {
        await using var server = await StartAsync();
        int fdsBefore = server.OpenFds;
        var sockets = await Support.Clients.ConnectManyAsync(phase is Phase.MidTlsHandshake or Phase.MidTlsRequest ? server.TlsPort : server.Port, Clients);
        try
        {
            await Task.WhenAll(sockets.Select(socket => StartExchangeAsync(socket, phase)));
            // Let the server take in what was sent, so the reset meets the phase, not a connection it has not read yet.
            await Task.Delay(200);
            Assert.True(server.OpenFds >= fdsBefore + Clients, $"the server holds {server.OpenFds - fdsBefore} of the {Clients} connections before the resets");
        }
        finally
        {
            Support.Clients.ResetAll(sockets);
        }
        await AssertNothingLeftAsync(server, fdsBefore, phase.ToString());
    }

    [Fact]
    public async Task A_half_closed_client_gets_its_response_and_the_connection_closes()
    {
        await using var server = await StartAsync();
        int fdsBefore = server.OpenFds;
        var sockets = await Support.Clients.ConnectManyAsync(server.Port, Clients);
        try
        {
            var responses = await Task.WhenAll(sockets.Select(async socket =>
            {
                // The stream first: NetworkStream refuses a socket that may already be closed by the time it is made.
                await using var stream = new NetworkStream(socket, ownsSocket: false);
                await socket.SendAsync(Encoding.ASCII.GetBytes("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n"), SocketFlags.None);
                socket.Shutdown(SocketShutdown.Send);
                return await Support.Clients.ReadUntilClosedAsync(stream, s_settle);
            }));
            Assert.All(responses, r => Assert.True(r is not null && r.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) && r.EndsWith("Hello, World!", StringComparison.Ordinal), $"half-closed client got: {r ?? "(still open)"}"));
        }
        finally
        {
            Support.Clients.ResetAll(sockets);
        }
        await AssertNothingLeftAsync(server, fdsBefore, "half-closed");
    }

    [Fact]
    public async Task A_client_that_connects_and_sends_nothing_is_closed_by_the_idle_timeout()
    {
        await using var server = await StartAsync();
        int fdsBefore = server.OpenFds;
        var sockets = await Support.Clients.ConnectManyAsync(server.Port, Clients);
        try
        {
            var seen = await Task.WhenAll(sockets.Select(async socket =>
            {
                await using var stream = new NetworkStream(socket, ownsSocket: false);
                return await Support.Clients.ReadUntilClosedAsync(stream, s_settle);
            }));
            // Closed (not null) without a word: there was no request to answer.
            Assert.All(seen, s => Assert.Equal("", s));
        }
        finally
        {
            Support.Clients.ResetAll(sockets);
        }
        await AssertNothingLeftAsync(server, fdsBefore, "silent");
    }

    /// <summary>
    /// A server on a plaintext and a TLS port, warmed up on every path the phases take: the first static file loads an
    /// assembly (two fds for good), which must not count as a leak of the phase.
    /// </summary>
    private async Task<ServeProcess> StartAsync()
    {
        var server = await ServeProcess.StartAsync(output,
            ["--protocol", "http", "--loops", "2", "--root", TestFiles.Root, "--idle-timeout", "2s",
             "--tls-cert", TestFiles.CertificatePath, "--tls-key", TestFiles.KeyPath, "--tls-port", "0"], tls: true);
        Assert.StartsWith("HTTP/1.1 200", await Support.Clients.RequestAsync(server.Port, Support.Clients.Get("/static/big.bin")));
        Assert.StartsWith("HTTP/1.1 200", await Support.Clients.RequestAsync(server.Port, "POST /echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 200", await Support.Clients.RequestTlsAsync(server.TlsPort, Support.Clients.Get("/plaintext")));
        return server;
    }

    /// <summary>Takes the connection to <paramref name="phase"/> and leaves it there.</summary>
    private static async Task StartExchangeAsync(Socket socket, Phase phase)
    {
        switch (phase)
        {
            case Phase.MidRequestLine:
                await SendAsync(socket, "GET /plain");
                break;
            case Phase.MidHeaders:
                await SendAsync(socket, "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nAccept: te");
                break;
            case Phase.MidBody:
                await SendAsync(socket, "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n" + new string('b', 20_000));
                break;
            case Phase.MidChunkedBody:
                await SendAsync(socket, "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n" + new string('c', 4096) + "\r\n4000\r\n" + new string('c', 100));
                break;
            case Phase.MidResponse:
                await SendAsync(socket, "GET /static/big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n");
                // Some of the response, not all: the server is mid-send when the reset comes.
                var buffer = new byte[16 * 1024];
                int received = 0;
                using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
                {
                    while (received < buffer.Length)
                    {
                        int n = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, cts.Token);
                        if (n == 0) break;
                        received += n;
                    }
                }
                Assert.Equal(buffer.Length, received);
                break;
            case Phase.MidTlsHandshake:
                // The start of a ClientHello: a handshake record promising 512 bytes, of which 45 come.
                byte[] hello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, .. new byte[32], 0x00, 0x00];
                await socket.SendAsync(hello, SocketFlags.None);
                break;
            case Phase.MidTlsRequest:
                // Not disposed: disposing would send close_notify, a polite goodbye instead of the reset under test.
                var tls = await Support.Clients.HandshakeAsync(socket);
                await tls.WriteAsync(Encoding.ASCII.GetBytes("GET /plaintext HTTP/1.1\r\nHost: loc"));
                await tls.FlushAsync();
                break;
        }
    }

    private static Task<int> SendAsync(Socket socket, string text) => socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None);

    private async Task AssertNothingLeftAsync(ServeProcess server, int fdsBefore, string what)
    {
        bool settled = await server.WaitForFdsAtMostAsync(fdsBefore, s_settle);
        Assert.True(settled, $"{what}: the server still holds {server.OpenFds - fdsBefore} fds more than before, {s_settle.TotalSeconds} s after the clients left");
        string response = await Support.Clients.RequestAsync(server.Port, Support.Clients.Get("/plaintext"));
        Assert.StartsWith("HTTP/1.1 200", response);
        string log = await server.StopCleanAsync();
        output.WriteLine($"{what}: {Clients} clients; fds back to {fdsBefore}; stop line resets {ServeProcess.Counter(log, "resets")}, idle timeouts {ServeProcess.Counter(log, "idle timeouts")}; leaks: none");
    }
}
