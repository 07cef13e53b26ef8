namespace Netloop.Protocols.Http1;

/// <summary>
/// Limits on what a client may send in one HTTP/1.1 request. Every default matches Kestrel's
/// (<c>KestrelServerLimits</c>) unless the property says it is Netloop's own. A parser or decoder reads the values once,
/// when it is created; changing them later affects only parsers created afterwards.
/// </summary>
public sealed class HttpLimits
{
    private int _maxRequestLineSize = 8 * 1024;
    private int _maxRequestHeadersTotalSize = 32 * 1024;
    private int _maxRequestHeaderCount = 100;
    private long? _maxRequestBodySize = 30_000_000;
    private int _maxChunkExtensionLength = 4 * 1024;
    private int _maxTrailerSize = 32 * 1024;
    private TimeSpan _requestHeadersTimeout = TimeSpan.FromSeconds(30);
    private double _minRequestBodyDataRate = 240;
    private TimeSpan _minRequestBodyDataRateGracePeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Largest request line, counted from the first byte offered (so empty lines ignored before it count too) through
    /// its CRLF. Longer is rejected with 414 as soon as this many bytes are seen without the line ending.
    /// Default 8,192 bytes (8 KiB), as Kestrel.
    /// </summary>
    public int MaxRequestLineSize
    {
        get => _maxRequestLineSize;
        set => _maxRequestLineSize = Positive(value);
    }

    /// <summary>
    /// Largest header section: the field lines with their CRLFs, not counting the request line or the empty line that
    /// ends the section. Larger is rejected with 431. Default 32,768 bytes (32 KiB), as Kestrel.
    /// </summary>
    public int MaxRequestHeadersTotalSize
    {
        get => _maxRequestHeadersTotalSize;
        set => _maxRequestHeadersTotalSize = Positive(value);
    }

    /// <summary>
    /// Most field lines in one request head; one more is rejected with 431. It is also the capacity of the header array
    /// each parser allocates once. Default 100, as Kestrel.
    /// </summary>
    public int MaxRequestHeaderCount
    {
        get => _maxRequestHeaderCount;
        set => _maxRequestHeaderCount = Positive(value);
    }

    /// <summary>
    /// Largest request body in bytes, declared (Content-Length) or received (chunked); larger is rejected with 413.
    /// <see langword="null"/> means unlimited. Default 30,000,000 bytes (about 28.6 MiB), as Kestrel.
    /// </summary>
    public long? MaxRequestBodySize
    {
        get => _maxRequestBodySize;
        set
        {
            if (value is { } v) ArgumentOutOfRangeException.ThrowIfNegative(v);
            _maxRequestBodySize = value;
        }
    }

    /// <summary>
    /// Longest chunk-size line of a chunked body: the hex size, any chunk extensions and the CRLF. Longer is rejected
    /// with 400. Default 4,096 bytes. Netloop's own limit (Kestrel has no such option); extensions are ignored anyway,
    /// so this only bounds the work a client can make the decoder do per chunk.
    /// </summary>
    public int MaxChunkExtensionLength
    {
        get => _maxChunkExtensionLength;
        set => _maxChunkExtensionLength = Positive(value);
    }

    /// <summary>
    /// Largest trailer section of a chunked body (field lines and the final CRLF). Larger is rejected with 431.
    /// Default 32,768 bytes (32 KiB), the same as the header section. Netloop's own option.
    /// </summary>
    public int MaxTrailerSize
    {
        get => _maxTrailerSize;
        set => _maxTrailerSize = Positive(value);
    }

    /// <summary>
    /// Longest time a connection may take to send a whole request head once its first byte arrived; then 408.
    /// Default 30 seconds, as Kestrel. Enforced by the connection, not by the parser.
    /// </summary>
    public TimeSpan RequestHeadersTimeout
    {
        get => _requestHeadersTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _requestHeadersTimeout = value;
        }
    }

    /// <summary>
    /// Slowest accepted request body rate, in bytes per second, averaged since the body started; slower is rejected
    /// with 408 once the grace period is over. 0 disables the check. Default 240 bytes/s, as Kestrel.
    /// Enforced by the connection, not by the parser.
    /// </summary>
    public double MinRequestBodyDataRate
    {
        get => _minRequestBodyDataRate;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _minRequestBodyDataRate = value;
        }
    }

    /// <summary>
    /// How long a body may be slower than <see cref="MinRequestBodyDataRate"/> before it counts.
    /// Default 5 seconds, as Kestrel.
    /// </summary>
    public TimeSpan MinRequestBodyDataRateGracePeriod
    {
        get => _minRequestBodyDataRateGracePeriod;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _minRequestBodyDataRateGracePeriod = value;
        }
    }

    /// <summary>The HTTP versions connections may speak. Default <see cref="HttpProtocols.Http1AndHttp2"/>: each connection picks its own.</summary>
    public HttpProtocols Protocols
    {
        get => _protocols;
        set => _protocols = value is HttpProtocols.Http1 or HttpProtocols.Http2 or HttpProtocols.Http1AndHttp2
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "Http1, Http2 or Http1AndHttp2");
    }

    private HttpProtocols _protocols = HttpProtocols.Http1AndHttp2;

    /// <summary>HTTP/2's settings and defences (the header and body limits above apply to HTTP/2 requests too).</summary>
    public Http2.Http2Limits Http2 { get; } = new();

    private static int Positive(int value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
        return value;
    }
}
