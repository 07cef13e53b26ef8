using System.Globalization;

namespace Netloop.Server;

/// <summary>
/// Limits per client address (<see cref="ServerOptions.PerIpLimits"/>): how many connections one address may hold open,
/// and how fast it may send requests (a token bucket: <see cref="RequestsPerSecond"/> refilled, <see cref="Burst"/> at
/// most saved up). IPv6 clients are counted per <see cref="Ipv6PrefixLength"/> prefix, since one host usually owns a
/// whole /64; an IPv4-mapped IPv6 address counts as its IPv4 address. Every limit is off by default. The reactor modes
/// (epoll, poll) enforce them; the comparison baselines refuse to start with any of them set.
/// </summary>
public sealed class PerIpLimitOptions
{
    /// <summary>The fastest request rate <see cref="Validate"/> accepts: the bucket counts in microseconds.</summary>
    public const double MaxRequestsPerSecond = 1_000_000;

    /// <summary>
    /// Most connections one client address (or IPv6 prefix) may hold open at once; a connection beyond it is closed as
    /// soon as it is accepted (<see cref="ServerStats.RejectedPerIp"/>). Default: 0, no limit.
    /// </summary>
    public int MaxConnectionsPerIp { get; set; }

    /// <summary>
    /// Requests per second one client address may make, on average (1/60 for one a minute). A request beyond its
    /// budget is answered <c>429 Too Many Requests</c> with <c>Retry-After</c> (seconds), without reaching the
    /// application (<see cref="ServerStats.RateLimited"/>); after 16 refusals in a row on one connection HTTP/1.1
    /// closes it and HTTP/2 sends GOAWAY(ENHANCE_YOUR_CALM). Default: 0, no limit. At most <see cref="MaxRequestsPerSecond"/>.
    /// </summary>
    public double RequestsPerSecond { get; set; }

    /// <summary>
    /// How many requests an address may make at once after a quiet spell (the bucket's size). Default: 0, which means
    /// <see cref="RequestsPerSecond"/> rounded up (one second's worth, at least 1).
    /// </summary>
    public int Burst { get; set; }

    /// <summary>IPv6 clients are grouped by this many leading bits (0-128). Default: 64, one subnet (a host's usual allocation).</summary>
    public int Ipv6PrefixLength { get; set; } = 64;

    /// <summary>
    /// Most client addresses remembered at once (the table's memory is bounded by it, about 100 bytes each). When full,
    /// expired entries are evicted; if none is expired, a connection from a new address is closed at accept
    /// (<see cref="ServerStats.PerIpTableFull"/>). Default: 65,536.
    /// </summary>
    public int MaxTrackedAddresses { get; set; } = 65_536;

    /// <summary>
    /// How long an address with no open connection and a full bucket is remembered before its entry may be evicted.
    /// Default: 10 s.
    /// </summary>
    public TimeSpan EntryExpiry { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>True when any limit is set (a connection or a request limit).</summary>
    public bool IsEnabled => MaxConnectionsPerIp > 0 || RequestsPerSecond > 0;

    /// <summary>The bucket size in force: <see cref="Burst"/>, or one second's worth of <see cref="RequestsPerSecond"/> when it is 0.</summary>
    public int EffectiveBurst => Burst > 0 ? Burst : (int)Math.Clamp(Math.Ceiling(RequestsPerSecond), 1, int.MaxValue);

    /// <summary>The transport's table for these limits, or null when they set none.</summary>
    internal Transport.PerIp.ClientAddressTable? CreateTable() =>
        IsEnabled ? new Transport.PerIp.ClientAddressTable(MaxConnectionsPerIp, RequestsPerSecond, EffectiveBurst, Ipv6PrefixLength, MaxTrackedAddresses, EntryExpiry) : null;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (MaxConnectionsPerIp < 0) throw new ArgumentException($"max-connections-per-ip must be at least 0 (0: no limit), got {MaxConnectionsPerIp}");
        if (!double.IsFinite(RequestsPerSecond) || RequestsPerSecond < 0 || RequestsPerSecond > MaxRequestsPerSecond)
            throw new ArgumentException($"rate-limit must be 0-{MaxRequestsPerSecond.ToString(CultureInfo.InvariantCulture)} requests per second (0: no limit), got {RequestsPerSecond.ToString(CultureInfo.InvariantCulture)}");
        if (Burst < 0) throw new ArgumentException($"burst must be at least 0 (0: one second's worth of the rate), got {Burst}");
        if (Burst > 0 && RequestsPerSecond == 0) throw new ArgumentException("burst needs a rate-limit");
        if (Ipv6PrefixLength is < 0 or > 128) throw new ArgumentException($"ipv6-prefix must be 0-128, got {Ipv6PrefixLength}");
        if (MaxTrackedAddresses < 1) throw new ArgumentException($"max-tracked-addresses must be at least 1, got {MaxTrackedAddresses}");
        if (EntryExpiry < TimeSpan.Zero) throw new ArgumentException("per-IP entry expiry must not be negative");
    }
}
