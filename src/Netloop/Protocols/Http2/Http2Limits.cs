namespace Netloop.Protocols.Http2;

/// <summary>
/// HTTP/2 settings the server advertises and the limits that defend it (see docs/http2.md for how each compares with
/// Kestrel, nginx and h2o). Read when a connection starts; changes affect later connections only. Every flood budget
/// counts events per <see cref="FloodInterval"/>; a connection that spends one is sent GOAWAY(ENHANCE_YOUR_CALM) and
/// closed, its other streams cancelled, and one warning is logged; other connections are untouched.
/// </summary>
public sealed class Http2Limits
{
    private int _maxConcurrentStreams = 100;
    private int _initialStreamWindowSize = 768 * 1024;
    private int _initialConnectionWindowSize = 1024 * 1024;
    private int _maxFrameSize = 16 * 1024;
    private int _headerTableSize = 4096;
    private int _maxHeaderListSize = 32 * 1024;
    private int _maxHeaderBlockFrames = 32;
    private long _maxStreamsPerConnection = 1_000_000;
    private TimeSpan _floodInterval = TimeSpan.FromSeconds(10);
    private int _maxResetsPerInterval = 200;
    private int _maxSettingsPerInterval = 100;
    private int _maxPingsPerInterval = 100;
    private int _maxEmptyFramesPerInterval = 100;
    private int _maxPriorityFramesPerInterval = 1000;
    private int _maxWindowUpdatesPerInterval = 10_000;
    private int _maxRefusedStreamsPerInterval = 100;
    private TimeSpan _flowControlStallTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _prefaceTimeout = TimeSpan.FromSeconds(10);

    /// <summary>SETTINGS_MAX_CONCURRENT_STREAMS: streams a client may have open at once; one more is refused (RST_STREAM REFUSED_STREAM). Default 100, as Kestrel and nginx.</summary>
    public int MaxConcurrentStreams { get => _maxConcurrentStreams; set => _maxConcurrentStreams = Range(value, 1, int.MaxValue); }

    /// <summary>
    /// SETTINGS_INITIAL_WINDOW_SIZE: request body bytes a client may send on one stream before the handler reads them;
    /// the window reopens as the handler reads. Default 768 KiB, as Kestrel. At most 2^31 − 1.
    /// </summary>
    public int InitialStreamWindowSize { get => _initialStreamWindowSize; set => _initialStreamWindowSize = Range(value, 0, int.MaxValue); }

    /// <summary>
    /// The connection-level receive window: request body bytes of all streams together that may wait unread. Default
    /// 1 MiB, as Kestrel. At least 65,535 (the protocol's initial value), at most 2^31 − 1.
    /// </summary>
    public int InitialConnectionWindowSize { get => _initialConnectionWindowSize; set => _initialConnectionWindowSize = Range(value, 65_535, int.MaxValue); }

    /// <summary>SETTINGS_MAX_FRAME_SIZE: the largest frame payload accepted; larger is a FRAME_SIZE_ERROR. Default 16 KiB (the protocol's minimum). At most 512 KiB here.</summary>
    public int MaxFrameSize { get => _maxFrameSize; set => _maxFrameSize = Range(value, 16 * 1024, 512 * 1024); }

    /// <summary>SETTINGS_HEADER_TABLE_SIZE: the HPACK dynamic table the client's encoder may use, in RFC 7541 units. Default 4,096.</summary>
    public int HeaderTableSize { get => _headerTableSize; set => _headerTableSize = Range(value, 0, 1024 * 1024); }

    /// <summary>
    /// SETTINGS_MAX_HEADER_LIST_SIZE: the largest decoded header list (names, values and 32 bytes per field, RFC 9113
    /// §6.5.2); larger gets 431. A compressed header block larger than this closes the connection (it cannot be
    /// skipped without decoding). Default 32 KiB, as Kestrel's MaxRequestHeadersTotalSize.
    /// </summary>
    public int MaxHeaderListSize { get => _maxHeaderListSize; set => _maxHeaderListSize = Range(value, 1024, 16 * 1024 * 1024); }

    /// <summary>HEADERS plus CONTINUATION frames in one header block; more is a CONTINUATION flood (CVE-2024-27316 class). Default 32. Netloop's own limit.</summary>
    public int MaxHeaderBlockFrames { get => _maxHeaderBlockFrames; set => _maxHeaderBlockFrames = Range(value, 1, 10_000); }

    /// <summary>Streams one connection may open over its life; then GOAWAY(NO_ERROR) and the client reconnects (nginx's <c>keepalive_requests</c>). Default 1,000,000.</summary>
    public long MaxStreamsPerConnection { get => _maxStreamsPerConnection; set => _maxStreamsPerConnection = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value)); }

    /// <summary>The interval every flood budget below counts over. Default 10 seconds.</summary>
    public TimeSpan FloodInterval { get => _floodInterval; set => _floodInterval = Positive(value); }

    /// <summary>
    /// Streams reset per interval, by the client (RST_STREAM, CVE-2023-44487 "rapid reset") or by the server because
    /// of what the client sent (CVE-2025-8671 "MadeYouReset"). Default 200.
    /// </summary>
    public int MaxResetsPerInterval { get => _maxResetsPerInterval; set => _maxResetsPerInterval = Range(value, 1, int.MaxValue); }

    /// <summary>SETTINGS frames per interval (each needs an ACK). Default 100.</summary>
    public int MaxSettingsPerInterval { get => _maxSettingsPerInterval; set => _maxSettingsPerInterval = Range(value, 1, int.MaxValue); }

    /// <summary>PING frames per interval (each needs an ACK). Default 100.</summary>
    public int MaxPingsPerInterval { get => _maxPingsPerInterval; set => _maxPingsPerInterval = Range(value, 1, int.MaxValue); }

    /// <summary>Frames that carry nothing (DATA without payload or END_STREAM, empty CONTINUATION) per interval. Default 100.</summary>
    public int MaxEmptyFramesPerInterval { get => _maxEmptyFramesPerInterval; set => _maxEmptyFramesPerInterval = Range(value, 1, int.MaxValue); }

    /// <summary>PRIORITY frames per interval (parsed and ignored, but each costs a frame's work). Default 1,000.</summary>
    public int MaxPriorityFramesPerInterval { get => _maxPriorityFramesPerInterval; set => _maxPriorityFramesPerInterval = Range(value, 1, int.MaxValue); }

    /// <summary>WINDOW_UPDATE frames per interval beyond one for each DATA frame the server sent. Default 10,000.</summary>
    public int MaxWindowUpdatesPerInterval { get => _maxWindowUpdatesPerInterval; set => _maxWindowUpdatesPerInterval = Range(value, 1, int.MaxValue); }

    /// <summary>
    /// Streams refused per interval before their handler ran — beyond <see cref="MaxConcurrentStreams"/>, or with a
    /// header list larger than <see cref="MaxHeaderListSize"/> (431, an HPACK bomb's answer); beyond it the client is
    /// ignoring the limits: GOAWAY. Default 100.
    /// </summary>
    public int MaxRefusedStreamsPerInterval { get => _maxRefusedStreamsPerInterval; set => _maxRefusedStreamsPerInterval = Range(value, 1, int.MaxValue); }

    /// <summary>
    /// How long a response may wait on a flow-control window the client keeps at zero: then the stream is reset
    /// (CANCEL), or, when the connection window is the one stuck, the connection gets GOAWAY. Default 30 seconds.
    /// </summary>
    public TimeSpan FlowControlStallTimeout { get => _flowControlStallTimeout; set => _flowControlStallTimeout = Positive(value); }

    /// <summary>Time from the connection's start (or the 101 of an upgrade) for the client preface and its SETTINGS to arrive. Default 10 seconds.</summary>
    public TimeSpan PrefaceTimeout { get => _prefaceTimeout; set => _prefaceTimeout = Positive(value); }

    private static int Range(int value, int min, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, min);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, max);
        return value;
    }

    private static TimeSpan Positive(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
        return value;
    }
}
