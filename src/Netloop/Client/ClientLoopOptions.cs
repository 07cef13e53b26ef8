using Netloop.Transport;

namespace Netloop.Client;

/// <summary>Settings of a <see cref="ClientLoop"/>.</summary>
public sealed record ClientLoopOptions
{
    /// <summary>Use poll(2) instead of epoll.</summary>
    public bool UsePoll { get; init; }

    /// <summary>Set TCP_NODELAY on every connection (default on: a load client must not wait on Nagle).</summary>
    public bool NoDelay { get; init; } = true;

    /// <summary>How long a connect may take before it fails with <see cref="ConnectError.Timeout"/>.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Pending output above which a connection stops reading until the kernel takes the output.</summary>
    public int OutputHighWaterMark { get; init; } = 1024 * 1024;

    /// <summary>The loop thread's name (shows in /proc and debuggers).</summary>
    public string Name { get; init; } = "netloop-client";
}
