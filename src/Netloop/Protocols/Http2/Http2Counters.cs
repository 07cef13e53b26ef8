namespace Netloop.Protocols.Http2;

/// <summary>
/// What HTTP/2's defences did, summed over every connection of one protocol factory (updated with
/// <see cref="Interlocked"/>: the events are rare, and connections of several loops share the factory).
/// </summary>
internal sealed class Http2Counters
{
    public long Connections;
    public long Streams;
    public long RapidResets;
    public long ContinuationFloods;
    public long HeaderListsTooLarge;
    public long SettingsFloods;
    public long PingFloods;
    public long EmptyFrameFloods;
    public long PriorityFloods;
    public long WindowUpdateFloods;
    public long RefusedStreams;
    public long RefusedStreamFloods;
    public long FlowControlStalls;
    public long StreamLimitGoAways;
    public long PrefaceTimeouts;
    public long ProtocolErrors;
    public long StreamErrors;
    public long RateLimitedStreams;
    public long RateLimitGoAways;

    /// <summary>
    /// One line for the log at stop, e.g. <c>connections=12 streams=48000 rapid-resets=1 stream-errors=3</c>: the
    /// connections and streams served, then each defence and error count that is not zero.
    /// </summary>
    public string Summary()
    {
        var line = new System.Text.StringBuilder();
        Append(line, "connections", Connections, always: true);
        Append(line, "streams", Streams, always: true);
        Append(line, "rapid-resets", RapidResets);
        Append(line, "continuation-floods", ContinuationFloods);
        Append(line, "header-lists-too-large", HeaderListsTooLarge);
        Append(line, "settings-floods", SettingsFloods);
        Append(line, "ping-floods", PingFloods);
        Append(line, "empty-frame-floods", EmptyFrameFloods);
        Append(line, "priority-floods", PriorityFloods);
        Append(line, "window-update-floods", WindowUpdateFloods);
        Append(line, "refused-streams", RefusedStreams);
        Append(line, "refused-stream-floods", RefusedStreamFloods);
        Append(line, "flow-control-stalls", FlowControlStalls);
        Append(line, "stream-limit-goaways", StreamLimitGoAways);
        Append(line, "preface-timeouts", PrefaceTimeouts);
        Append(line, "protocol-errors", ProtocolErrors);
        Append(line, "stream-errors", StreamErrors);
        Append(line, "rate-limited-streams", RateLimitedStreams);
        Append(line, "rate-limit-goaways", RateLimitGoAways);
        return line.ToString();
    }

    private static void Append(System.Text.StringBuilder line, string name, long value, bool always = false)
    {
        if (value == 0 && !always) return;
        if (line.Length > 0) line.Append(' ');
        line.Append(System.Globalization.CultureInfo.InvariantCulture, $"{name}={value}");
    }
}
