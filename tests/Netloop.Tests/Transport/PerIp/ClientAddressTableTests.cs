using System.Net;
using Netloop.Server;
using Netloop.Transport.PerIp;

namespace Netloop.Tests.Transport.PerIp;

/// <summary>
/// The per-IP table on a clock the test drives (milliseconds passed in): connection counts, the token bucket, expiry,
/// the cap with eviction and refusal, and no allocation on the per-request path.
/// </summary>
public sealed class ClientAddressTableTests
{
    private const long Start = 1_000_000;

    private static AddressKey Key(string address) => AddressKey.From(IPAddress.Parse(address), 64);

    private static ClientAddressTable Table(int maxConnections = 0, double rate = 0, int burst = 0, int capacity = 1000, int expirySeconds = 10) =>
        new(maxConnections, rate, burst, 64, capacity, TimeSpan.FromSeconds(expirySeconds));

    [Fact]
    public void An_address_gets_at_most_its_connections_and_a_closed_one_frees_a_place()
    {
        var table = Table(maxConnections: 2);
        var a1 = table.TryAcquireConnection(Key("127.0.0.2"), Start);
        var a2 = table.TryAcquireConnection(Key("127.0.0.2"), Start);
        Assert.NotNull(a1);
        Assert.Same(a1, a2);
        Assert.Null(table.TryAcquireConnection(Key("127.0.0.2"), Start));
        Assert.NotNull(table.TryAcquireConnection(Key("127.0.0.3"), Start));
        Assert.Equal(1, table.RejectedConnections);
        table.ReleaseConnection(a1!, Start);
        Assert.NotNull(table.TryAcquireConnection(Key("127.0.0.2"), Start));
    }

    [Fact]
    public void The_IPv6_hosts_of_one_64_share_one_connection_limit()
    {
        var table = Table(maxConnections: 1);
        Assert.NotNull(table.TryAcquireConnection(Key("2001:db8:0:1::1"), Start));
        Assert.Null(table.TryAcquireConnection(Key("2001:db8:0:1::2"), Start));
        Assert.NotNull(table.TryAcquireConnection(Key("2001:db8:0:2::1"), Start));
    }

    [Fact]
    public void The_bucket_admits_a_burst_then_one_request_per_interval_with_Retry_After_in_whole_seconds()
    {
        var table = Table(rate: 2, burst: 4); // one request every 500 ms, four saved up at most
        var entry = table.TryAcquireConnection(Key("127.0.0.2"), Start)!;
        int refused = 0;
        for (int i = 0; i < 4; i++) Assert.True(table.AdmitRequest(entry, Start, ref refused).IsAdmitted);
        var refusal = table.AdmitRequest(entry, Start, ref refused);
        Assert.False(refusal.IsAdmitted);
        Assert.Equal(1, refusal.RetryAfterSeconds); // 500 ms, rounded up
        Assert.Equal(1, table.RateLimitedRequests);

        Assert.False(table.AdmitRequest(entry, Start + 499, ref refused).IsAdmitted);
        Assert.True(table.AdmitRequest(entry, Start + 500, ref refused).IsAdmitted);
        Assert.Equal(0, refused);
        Assert.False(table.AdmitRequest(entry, Start + 500, ref refused).IsAdmitted);

        // A long quiet spell refills the bucket to its size, no more.
        long later = Start + 60_000;
        for (int i = 0; i < 4; i++) Assert.True(table.AdmitRequest(entry, later, ref refused).IsAdmitted);
        Assert.False(table.AdmitRequest(entry, later, ref refused).IsAdmitted);
    }

    [Fact]
    public void A_slow_rate_tells_the_client_how_many_seconds_to_wait()
    {
        var table = Table(rate: 1.0 / 60, burst: 1); // one a minute
        var entry = table.TryAcquireConnection(Key("127.0.0.2"), Start)!;
        int refused = 0;
        Assert.True(table.AdmitRequest(entry, Start, ref refused).IsAdmitted);
        Assert.Equal(60, table.AdmitRequest(entry, Start, ref refused).RetryAfterSeconds);
        Assert.Equal(50, table.AdmitRequest(entry, Start + 10_000, ref refused).RetryAfterSeconds);
    }

    [Fact]
    public void Refusals_in_a_row_end_the_connection_at_the_sixteenth()
    {
        var table = Table(rate: 1, burst: 1);
        var entry = table.TryAcquireConnection(Key("127.0.0.2"), Start)!;
        int refused = 0;
        table.AdmitRequest(entry, Start, ref refused);
        for (int i = 1; i < ClientAddressTable.RefusalsBeforeEnd; i++) Assert.False(table.AdmitRequest(entry, Start, ref refused).EndConnection);
        var last = table.AdmitRequest(entry, Start, ref refused);
        Assert.False(last.IsAdmitted);
        Assert.True(last.EndConnection);
    }

    [Fact]
    public void Connections_of_one_address_spend_one_bucket()
    {
        var table = Table(rate: 1, burst: 2);
        var first = table.TryAcquireConnection(Key("127.0.0.2"), Start)!;
        var second = table.TryAcquireConnection(Key("127.0.0.2"), Start)!;
        var other = table.TryAcquireConnection(Key("127.0.0.3"), Start)!;
        int r1 = 0, r2 = 0, r3 = 0;
        Assert.True(table.AdmitRequest(first, Start, ref r1).IsAdmitted);
        Assert.True(table.AdmitRequest(second, Start, ref r2).IsAdmitted);
        Assert.False(table.AdmitRequest(first, Start, ref r1).IsAdmitted);
        Assert.True(table.AdmitRequest(other, Start, ref r3).IsAdmitted);
    }

    [Fact]
    public void An_idle_entry_expires_only_when_closed_refilled_and_quiet_for_the_expiry()
    {
        var table = Table(rate: 1, burst: 1, capacity: 10, expirySeconds: 10);
        var entry = table.TryAcquireConnection(Key("127.0.0.2"), Start)!;
        int refused = 0;
        table.AdmitRequest(entry, Start, ref refused);
        table.SweepAll(Start + 60_000);
        Assert.Equal(1, table.Count); // a connection is open

        table.ReleaseConnection(entry, Start + 1_000);
        table.SweepAll(Start + 10_999);
        Assert.Equal(1, table.Count); // quiet for less than 10 s
        table.SweepAll(Start + 11_000);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void A_bucket_still_refilling_keeps_its_entry_so_reconnecting_does_not_reset_it()
    {
        var table = Table(rate: 1.0 / 60, burst: 1, expirySeconds: 0);
        var entry = table.TryAcquireConnection(Key("127.0.0.2"), Start)!;
        int refused = 0;
        table.AdmitRequest(entry, Start, ref refused);
        table.ReleaseConnection(entry, Start);
        table.SweepAll(Start + 30_000);
        var again = table.TryAcquireConnection(Key("127.0.0.2"), Start + 30_000)!;
        Assert.Same(entry, again);
        Assert.False(table.AdmitRequest(again, Start + 30_000, ref refused).IsAdmitted);
    }

    [Fact]
    public void A_full_table_evicts_expired_entries_for_a_new_address()
    {
        var table = Table(maxConnections: 10, capacity: 4, expirySeconds: 1);
        for (int i = 1; i <= 4; i++)
        {
            var e = table.TryAcquireConnection(Key($"127.0.0.{i}"), Start)!;
            table.ReleaseConnection(e, Start);
        }
        Assert.Equal(4, table.Count);
        Assert.NotNull(table.TryAcquireConnection(Key("127.0.1.1"), Start + 1_000));
        Assert.True(table.Count <= 4);
        Assert.Equal(0, table.TableFullRejections);
    }

    [Fact]
    public void A_table_full_of_live_addresses_refuses_a_new_one_and_never_grows_past_its_cap()
    {
        var table = Table(maxConnections: 10, capacity: 8, expirySeconds: 1);
        for (int i = 1; i <= 8; i++) Assert.NotNull(table.TryAcquireConnection(Key($"127.0.0.{i}"), Start));
        for (int i = 1; i <= 100; i++) Assert.Null(table.TryAcquireConnection(Key($"127.0.1.{i}"), Start + 5_000 + i * 200));
        Assert.Equal(8, table.Count);
        Assert.Equal(100, table.TableFullRejections);
        // A known address still gets in (its entry exists).
        Assert.NotNull(table.TryAcquireConnection(Key("127.0.0.3"), Start + 60_000));
    }

    [Fact]
    public void A_request_and_a_known_address_lookup_allocate_nothing()
    {
        var table = Table(maxConnections: 1000, rate: 1000, burst: 1_000_000);
        var key = Key("2001:db8::1");
        var entry = table.TryAcquireConnection(key, Start)!;
        int refused = 0;
        for (int i = 0; i < 1000; i++)
        {
            table.AdmitRequest(entry, Start, ref refused);
            table.ReleaseConnection(table.TryAcquireConnection(key, Start)!, Start);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            table.AdmitRequest(entry, Start + i, ref refused);
            table.ReleaseConnection(table.TryAcquireConnection(key, Start + i)!, Start + i);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Options_make_no_table_when_every_limit_is_off()
    {
        Assert.Null(new PerIpLimitOptions().CreateTable());
        var table = new PerIpLimitOptions { RequestsPerSecond = 100 }.CreateTable()!;
        Assert.True(table.LimitsRequests);
        Assert.Equal(65_536, table.Capacity);
        Assert.Equal(100, new PerIpLimitOptions { RequestsPerSecond = 99.5 }.EffectiveBurst);
    }

    [Theory]
    [InlineData(-1, 0, 0, 64, 1, "max-connections-per-ip")]
    [InlineData(0, -1, 0, 64, 1, "rate-limit")]
    [InlineData(0, 2e6, 0, 64, 1, "rate-limit")]
    [InlineData(0, 0, 5, 64, 1, "burst needs a rate-limit")]
    [InlineData(0, 1, 0, 129, 1, "ipv6-prefix")]
    [InlineData(0, 1, 0, 64, 0, "max-tracked-addresses")]
    public void Validation_names_the_bad_setting(int connections, double rate, int burst, int prefix, int tracked, string message)
    {
        var options = new ServerOptions { PerIpLimits = { MaxConnectionsPerIp = connections, RequestsPerSecond = rate, Burst = burst, Ipv6PrefixLength = prefix, MaxTrackedAddresses = tracked } };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
