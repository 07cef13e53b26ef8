using System.Globalization;
using Netloop.AbuseTests.Support;
using Xunit.Abstractions;

namespace Netloop.AbuseTests;

/// <summary>
/// Slowloris (a request head trickled a header at a time, over HTTP/1.1 and over TLS) and slow POST (a body trickled
/// far below the minimum rate): the attackers are closed by <c>--request-headers-timeout</c> and
/// <c>--min-request-body-data-rate</c>, a good client keeps being served meanwhile, and the server's memory stays under
/// <see cref="BytesPerAttacker"/> per attacking connection.
/// </summary>
public sealed class SlowlorisTests(ITestOutputHelper output)
{
    /// <summary>The documented bound: resident memory growth per held attacking connection (its input block, connection and parser state; TLS adds its session).</summary>
    public const long BytesPerAttacker = 64 * 1024;

    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan s_trickle = TimeSpan.FromMilliseconds(500);

    [Fact]
    public Task Slowloris_over_http1_is_closed_by_the_request_headers_timeout_while_a_good_client_is_served() =>
        SlowlorisAsync(attackers: 1000, tls: false);

    [Fact]
    public Task Slowloris_over_tls_is_closed_by_the_request_headers_timeout_while_a_good_client_is_served() =>
        SlowlorisAsync(attackers: 300, tls: true);

    [Fact]
    public async Task Slow_post_bodies_are_closed_by_the_minimum_body_data_rate_while_a_good_client_is_served()
    {
        // 10 bytes every 500 ms is 20 B/s, far under the 240 B/s minimum: closed once the 5 s grace period is over.
        await using var server = await ServeProcess.StartAsync(output, ["--protocol", "http", "--loops", "2", "--min-request-body-data-rate", "240"]);
        const int attackers = 500;
        await AttackAsync(server, attackers, tls: false,
            start: "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n",
            trickle: _ => "0123456789",
            expectedStatus: "408");
    }

    private async Task SlowlorisAsync(int attackers, bool tls)
    {
        string[] args = ["--protocol", "http", "--loops", "2", "--request-headers-timeout", "2s"];
        if (tls) args = [.. args, "--tls-cert", TestFiles.CertificatePath, "--tls-key", TestFiles.KeyPath];
        await using var server = await ServeProcess.StartAsync(output, args, tls: tls);
        await AttackAsync(server, attackers, tls,
            start: "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n",
            trickle: i => string.Create(CultureInfo.InvariantCulture, $"X-Trickle-{i}: a\r\n"),
            expectedStatus: "408");
    }

    private async Task AttackAsync(ServeProcess server, int attackers, bool tls, string start, Func<int, string> trickle, string expectedStatus)
    {
        int port = tls ? server.TlsPort : server.Port;
        // Warm up (JIT, pools) so the baseline is the server at work, not the server just started.
        for (int i = 0; i < 20; i++) Assert.StartsWith("HTTP/1.1 200", tls ? await Clients.RequestTlsAsync(port, Clients.Get("/plaintext")) : await Clients.RequestAsync(port, Clients.Get("/plaintext")));
        long baseline = server.RssBytes;
        long held = 0;
        await using var good = GoodClient.Start(port, tls);
        var outcomes = await TrickleAttack.RunAsync(port, attackers, tls, start, trickle, s_trickle, s_deadline);
        held = server.PeakRssBytes - baseline;
        await good.StopAsync();

        var open = outcomes.Count(o => o.Received is null);
        var answered = outcomes.Count(o => o.Received?.StartsWith("HTTP/1.1 " + expectedStatus, StringComparison.Ordinal) == true);
        var slowest = outcomes.Where(o => o.Received is not null).Select(o => o.ClosedAfter).DefaultIfEmpty().Max();
        output.WriteLine($"attackers {attackers}{(tls ? " (TLS)" : "")}: closed {attackers - open}, answered {expectedStatus} {answered}, last closed after {slowest.TotalSeconds:0.0} s");
        output.WriteLine($"server RSS: baseline {Mib(baseline)}, peak growth {Mib(held)} ({held / attackers / 1024.0:0.0} KiB per attacker; bound {BytesPerAttacker / 1024} KiB)");
        output.WriteLine($"good client: {good.Served} served, {good.Failures.Count} failed {string.Join("; ", good.Failures.Take(3))}");

        Assert.Equal(0, open);
        // The 408 is best effort (a trickled write racing the close can turn it into a reset): most must see it.
        Assert.True(answered >= attackers * 9 / 10, $"only {answered} of {attackers} attackers got a {expectedStatus}");
        Assert.Empty(good.Failures);
        Assert.True(good.Served > 0, "the good client was never served");
        Assert.True(held < attackers * BytesPerAttacker, $"RSS grew {Mib(held)} for {attackers} attackers, over the bound of {BytesPerAttacker / 1024} KiB each");
        await server.StopCleanAsync();
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.0} MiB");
}
