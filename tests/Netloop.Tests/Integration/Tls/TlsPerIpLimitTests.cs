using System.Globalization;
using System.Net;
using System.Security.Authentication;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Tls;

/// <summary>
/// Per-IP limits on a TLS listener over real sockets, clients bound to 127.0.0.2, 127.0.0.3 … as several hosts: the
/// connection limit is checked at accept, before any handshake, and the rate limit spends the budget per HTTPS request.
/// </summary>
public sealed class TlsPerIpLimitTests(ITestOutputHelper output)
{
    private readonly TestCertificates _certificates = TestCertificates.Shared;

    private Task<HttpsTestClient> ConnectFromAsync(TlsServe server, string source) =>
        HttpsTestClient.ConnectAsync(server.Port, _certificates.CaCertificate, source: IPAddress.Parse(source));

    [Fact]
    public async Task The_third_TLS_connection_from_one_address_is_closed_before_its_handshake_while_another_address_is_served()
    {
        await using var server = await TlsServe.StartAsync(output, _certificates.LocalhostEcdsa, "--max-connections-per-ip", "2");
        await using var a1 = await ConnectFromAsync(server, "127.0.0.2");
        await using var a2 = await ConnectFromAsync(server, "127.0.0.2");
        Assert.Equal((200, "Hello, World!"), await a1.GetAsync("/plaintext"));
        Assert.Equal((200, "Hello, World!"), await a2.GetAsync("/plaintext"));

        // Closed at accept: the client's handshake meets an end of stream (or a reset), never a server hello.
        var refused = await Record.ExceptionAsync(async () => await (await ConnectFromAsync(server, "127.0.0.2")).DisposeAsync());
        Assert.True(refused is IOException or AuthenticationException, $"the third connection from 127.0.0.2 was not refused: {refused}");

        await using var b = await ConnectFromAsync(server, "127.0.0.3");
        Assert.Equal((200, "Hello, World!"), await b.GetAsync("/plaintext"));
        Assert.Equal((200, "Hello, World!"), await a1.GetAsync("/plaintext"));
        await server.StopAsync();
    }

    [Fact]
    public async Task HTTPS_requests_past_an_address_budget_get_429_with_Retry_After_and_another_address_gets_200()
    {
        // One a minute, two saved up: the third request within the minute is refused, whatever the test machine's speed.
        await using var server = await TlsServe.StartAsync(output, _certificates.LocalhostEcdsa, "--rate-limit", "1/m", "--burst", "2");
        await using var a = await ConnectFromAsync(server, "127.0.0.2");
        Assert.Equal((200, "Hello, World!"), await a.GetAsync("/plaintext"));
        Assert.Equal((200, "Hello, World!"), await a.GetAsync("/plaintext"));
        var (status, head, body) = await a.GetWithHeadAsync("/plaintext");
        Assert.Equal(429, status);
        Assert.Equal("Too Many Requests\n", body);
        string? retryAfter = AppHarness.Header(head + "\r\n\r\n", "Retry-After");
        Assert.True(retryAfter is not null, "no Retry-After in:\n" + head);
        Assert.InRange(int.Parse(retryAfter, CultureInfo.InvariantCulture), 1, 60);

        await using var b = await ConnectFromAsync(server, "127.0.0.3");
        Assert.Equal((200, "Hello, World!"), await b.GetAsync("/plaintext"));
        await server.StopAsync();
    }
}
