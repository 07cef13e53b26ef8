using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netloop.Server;
using Netloop.Transport;

namespace Netloop.Baselines;

/// <summary>
/// What the managed-socket engines (the baselines and the async designs) do when <c>accept</c> fails: a peer that left
/// first is no fault; anything else (out of file descriptors, above all) is counted, logged at most once a second, and
/// answered with a pause before the next accept.
/// </summary>
internal sealed class AcceptFailures(ConnectionCounters counters, ILogger logger)
{
    /// <summary>How long accepting pauses after a failure.</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    private readonly RateLimitedLog _log = new(logger, LogLevel.Error, $"accept failed; pausing accepts for {Pause.TotalMilliseconds} ms");

    /// <summary>Counts and logs a failed accept; returns how long to pause before the next one.</summary>
    public TimeSpan OnError(Exception e)
    {
        var error = (e as SocketException)?.SocketErrorCode;
        // The peer left before accept(2) got to it: nothing is wrong with the listener.
        if (error is SocketError.ConnectionAborted or SocketError.ConnectionReset) return TimeSpan.Zero;
        Interlocked.Increment(ref counters.AcceptPauses);
        string detail = error switch
        {
            SocketError.TooManyOpenSockets => "too many open files (EMFILE)",
            null => e.Message,
            _ => error.ToString()!,
        };
        _log.Hit(Reactor.LoopClock.System.NowMs, detail);
        return Pause;
    }
}
