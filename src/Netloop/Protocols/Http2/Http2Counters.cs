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
}
