using Microsoft.Extensions.Logging;
using Netloop.Transport.PerIp;

namespace Netloop.Protocols.Http2;

/// <summary>
/// Flood budgets (see <see cref="Http2Limits"/>): frames that cost the server work or an answer but give the client
/// nothing legitimate when repeated. Spending one past its budget ends only this connection: GOAWAY(ENHANCE_YOUR_CALM),
/// one warning, one counter.
/// </summary>
internal sealed partial class Http2Connection
{
    private FloodBudget _resets;
    private FloodBudget _settings;
    private FloodBudget _pings;
    private FloodBudget _emptyFrames;
    private FloodBudget _priorities;
    private FloodBudget _windowUpdates;
    private FloodBudget _refusals;

    private long NowMs => _connection.Clock.NowMs;

    private long IntervalMs => (long)_limits.FloodInterval.TotalMilliseconds;

    /// <summary>A stream reset, by the client or by the server because of the client (CVE-2023-44487, CVE-2025-8671).</summary>
    private bool SpendReset(string who)
    {
        if (_resets.Spend(NowMs, IntervalMs, _limits.MaxResetsPerInterval)) return true;
        Interlocked.Increment(ref Counters.RapidResets);
        Flood("rapid reset", $"more than {_limits.MaxResetsPerInterval} stream resets in {_limits.FloodInterval.TotalSeconds:0.#} s ({who} the last)");
        return false;
    }

    private bool SpendSettings()
    {
        if (_settings.Spend(NowMs, IntervalMs, _limits.MaxSettingsPerInterval)) return true;
        Interlocked.Increment(ref Counters.SettingsFloods);
        Flood("SETTINGS flood", $"more than {_limits.MaxSettingsPerInterval} SETTINGS frames in {_limits.FloodInterval.TotalSeconds:0.#} s");
        return false;
    }

    private bool SpendPing()
    {
        if (_pings.Spend(NowMs, IntervalMs, _limits.MaxPingsPerInterval)) return true;
        Interlocked.Increment(ref Counters.PingFloods);
        Flood("PING flood", $"more than {_limits.MaxPingsPerInterval} PING frames in {_limits.FloodInterval.TotalSeconds:0.#} s");
        return false;
    }

    private bool SpendEmptyFrame()
    {
        if (_emptyFrames.Spend(NowMs, IntervalMs, _limits.MaxEmptyFramesPerInterval)) return true;
        Interlocked.Increment(ref Counters.EmptyFrameFloods);
        Flood("empty frame flood", $"more than {_limits.MaxEmptyFramesPerInterval} frames without content in {_limits.FloodInterval.TotalSeconds:0.#} s");
        return false;
    }

    private bool SpendPriority()
    {
        if (_priorities.Spend(NowMs, IntervalMs, _limits.MaxPriorityFramesPerInterval)) return true;
        Interlocked.Increment(ref Counters.PriorityFloods);
        Flood("PRIORITY flood", $"more than {_limits.MaxPriorityFramesPerInterval} PRIORITY frames in {_limits.FloodInterval.TotalSeconds:0.#} s");
        return false;
    }

    private bool SpendWindowUpdate()
    {
        if (_windowUpdates.Spend(NowMs, IntervalMs, _limits.MaxWindowUpdatesPerInterval)) return true;
        Interlocked.Increment(ref Counters.WindowUpdateFloods);
        Flood("WINDOW_UPDATE flood", $"more than {_limits.MaxWindowUpdatesPerInterval} WINDOW_UPDATE frames beyond the DATA frames sent in {_limits.FloodInterval.TotalSeconds:0.#} s");
        return false;
    }

    /// <summary>A stream beyond SETTINGS_MAX_CONCURRENT_STREAMS: REFUSED_STREAM (the client may retry it, §8.7); a client that keeps at it gets GOAWAY.</summary>
    private void RefuseStream(int streamId)
    {
        Interlocked.Increment(ref Counters.RefusedStreams);
        if (!SpendRefusal($"streams refused for exceeding {_limits.MaxConcurrentStreams} concurrent streams")) return;
        Http2FrameWriter.WriteRstStream(_connection.Output, streamId, Http2ErrorCode.RefusedStream);
        RememberReset(streamId);
    }

    /// <summary>
    /// A stream refused before its handler ran: beyond the concurrency limit, or a header list past
    /// MAX_HEADER_LIST_SIZE (an HPACK bomb decodes a small block into megabytes). One budget for both.
    /// </summary>
    private bool SpendRefusal(string what)
    {
        if (_refusals.Spend(NowMs, IntervalMs, _limits.MaxRefusedStreamsPerInterval)) return true;
        Interlocked.Increment(ref Counters.RefusedStreamFloods);
        Flood("refused streams", $"more than {_limits.MaxRefusedStreamsPerInterval} {what} in {_limits.FloodInterval.TotalSeconds:0.#} s");
        return false;
    }

    /// <summary>
    /// The client address's request budget is spent (per-IP rate limit): the stream is answered 429 without running
    /// the application; after <see cref="ClientAddressTable.RefusalsBeforeEnd"/> refusals in a row the connection
    /// gets GOAWAY(ENHANCE_YOUR_CALM) as after a flood. False when the stream may start.
    /// </summary>
    private bool RefusedByRateLimit(Http2Stream stream)
    {
        var admission = TooManyRequests.Admit(_connection);
        if (admission.IsAdmitted) return false;
        Interlocked.Increment(ref Counters.RateLimitedStreams);
        stream.RefuseTooManyRequests(admission);
        if (admission.EndConnection)
        {
            Interlocked.Increment(ref Counters.RateLimitGoAways);
            Flood("request rate", $"{ClientAddressTable.RefusalsBeforeEnd} requests in a row over the per-IP rate limit");
        }
        return true;
    }

    /// <summary>A defence fired: one warning line (rate-limited over all connections), GOAWAY(ENHANCE_YOUR_CALM), close this connection only.</summary>
    private void Flood(string defence, string detail)
    {
        _factory.FloodLog.Hit(NowMs, $"connection {_connection.Id}: {defence}: {detail}; closing it");
        ConnectionError(Http2ErrorCode.EnhanceYourCalm, defence, logged: true);
    }

    private void LogStreamError(int streamId, Http2ErrorCode code, string reason) =>
        Logger.LogDebug("connection {Id}: HTTP/2 stream {Stream} reset ({Code}): {Reason}", _connection.Id, streamId, code, reason);
}
