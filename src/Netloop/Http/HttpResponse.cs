using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Win32.SafeHandles;

namespace Netloop.Http;

/// <summary>
/// The response a handler builds. Body bytes are buffered until the handler finishes, so the server can send one
/// Content-Length response; past <see cref="StreamingThreshold"/> or on <see cref="StartAsync"/> it streams instead
/// (chunked on HTTP/1.1). Status and headers can change until the response has started.
/// </summary>
public sealed class HttpResponse : IBufferWriter<byte>
{
    /// <summary>Buffered body bytes past which the response starts streaming.</summary>
    public const int StreamingThreshold = 64 * 1024;

    private byte[] _body = new byte[256];
    private int _length;
    private IHttpExchange _exchange = null!;
    // No reflection fallback: JSON metadata comes from source-generated contexts the app registers (AOT-safe).
    private static readonly JsonSerializerOptions s_noMetadata = new() { TypeInfoResolver = JsonTypeInfoResolver.Combine() };

    private JsonSerializerOptions _json = s_noMetadata;
    private int _statusCode = 200;

    internal HttpResponse() => Body = new ResponseBodyStream(this);

    /// <summary>Status code; 200 unless set. Fixed once the response has started.</summary>
    public int StatusCode
    {
        get => _statusCode;
        set
        {
            ThrowIfStarted();
            if (value is < 100 or > 999) throw new ArgumentOutOfRangeException(nameof(value), value, "a status code has three digits");
            _statusCode = value;
        }
    }

    /// <summary>The Content-Type header.</summary>
    public string? ContentType { get; set; }

    /// <summary>Other response headers.</summary>
    public ResponseHeaders Headers { get; } = new();

    /// <summary>Sets cookies: each <see cref="ResponseCookies.Append(string, string, CookieOptions)"/> adds one Set-Cookie field to <see cref="Headers"/>.</summary>
    public ResponseCookies Cookies => _cookies ??= new ResponseCookies(Headers);

    private ResponseCookies? _cookies;

    /// <summary>True once the head has been sent: status and headers can no longer change.</summary>
    public bool HasStarted { get; internal set; }

    /// <summary>The body as a stream; writes are buffered like <see cref="Write(ReadOnlySpan{byte})"/>.</summary>
    public Stream Body { get; }

    /// <summary>Body bytes buffered and not yet sent.</summary>
    internal ReadOnlySpan<byte> BufferedBody => _body.AsSpan(0, _length);

    /// <summary>Whether the handler sent a file (the exchange took care of head and body).</summary>
    internal bool SentFile { get; private set; }

    /// <summary>Set for handlers on worker threads: nothing reaches the connection until the handler returns.</summary>
    internal bool BufferAll { get; set; }

    private (Microsoft.Win32.SafeHandles.SafeFileHandle File, long Offset, long Length)? _deferredFile;
    private List<KeyValuePair<string, string>>? _trailers;

    /// <summary>
    /// Whether this response can carry trailer fields (<see cref="AppendTrailer"/>): always over HTTP/2; over HTTP/1.1
    /// when the request said <c>TE: trailers</c> and the body is (or will be) chunked — not for HEAD, not for a status
    /// without a body (1xx, 204, 304), not after a file was sent (its length is known), not over HTTP/1.0.
    /// </summary>
    public bool SupportsTrailers => _exchange.SupportsTrailers;

    /// <summary>
    /// Adds a trailer field, sent after the body (a last HEADERS frame over HTTP/2, the trailer section after the last
    /// chunk over HTTP/1.1), as gRPC sends its status. May be called while the body streams, until the response is complete.
    /// </summary>
    /// <exception cref="InvalidOperationException">The response cannot carry trailers (<see cref="SupportsTrailers"/>), or it is complete.</exception>
    /// <exception cref="ArgumentException">The name is not a token or names a field that may not be a trailer (Content-Length, Content-Type, Host, Authorization…), or the value has CR, LF or NUL.</exception>
    public void AppendTrailer(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (_exchange.ResponseCompleted) throw new InvalidOperationException("the response is complete; trailers can no longer be added");
        if (!_exchange.SupportsTrailers)
        {
            throw new InvalidOperationException("this response cannot carry trailers (over HTTP/1.1 the request must send TE: trailers, "
                + "and the response must have a chunked body: not HEAD, 1xx, 204, 304 or a file)");
        }
        TrailerFieldNames.Validate(name, value);
        (_trailers ??= new List<KeyValuePair<string, string>>()).Add(new(name, value));
    }

    /// <summary>True when trailer fields were appended.</summary>
    internal bool HasTrailers => _trailers is { Count: > 0 };

    /// <summary>The trailer fields appended, in order.</summary>
    internal IReadOnlyList<KeyValuePair<string, string>> Trailers => (IReadOnlyList<KeyValuePair<string, string>>?)_trailers ?? [];

    internal void Reset(IHttpExchange exchange, JsonSerializerOptions json)
    {
        _exchange = exchange;
        _json = json;
        _statusCode = 200;
        _length = 0;
        ContentType = null;
        Headers.Clear();
        HasStarted = false;
        SentFile = false;
        BufferAll = false;
        _deferredFile?.File.Dispose();
        _deferredFile = null;
        _trailers?.Clear();
        // A large body grew the buffer; do not keep it for every later request of the connection.
        if (_body.Length > 4 * StreamingThreshold) _body = new byte[256];
    }

    /// <summary>
    /// Appends body bytes. The first non-empty write sets Content-Type to <c>application/octet-stream</c> when the
    /// handler set none (RFC 9110 §8.3: what a recipient would assume anyway; the text and JSON helpers set their own).
    /// </summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (SentFile) throw new InvalidOperationException("the response body was a file; nothing can follow it");
        if (HasStarted)
        {
            _exchange.WriteStreamed(data);
            return;
        }
        if (data.IsEmpty) return;
        ContentType ??= "application/octet-stream";
        EnsureRoom(data.Length);
        data.CopyTo(_body.AsSpan(_length));
        _length += data.Length;
        if (_length >= StreamingThreshold && !BufferAll) StartStreamingNow();
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8; sets Content-Type to text/plain; charset=utf-8 unless one is set.</summary>
    public void WriteText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ContentType ??= "text/plain; charset=utf-8";
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max <= 1024)
        {
            Span<byte> bytes = stackalloc byte[max];
            Write(bytes[..Encoding.UTF8.GetBytes(text, bytes)]);
        }
        else
        {
            Write(Encoding.UTF8.GetBytes(text));
        }
    }

    /// <summary>Writes <paramref name="value"/> as JSON with source-generated metadata; sets Content-Type to application/json.</summary>
    public void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        ContentType ??= "application/json";
        // One writer per thread, reset onto this response: a Utf8JsonWriter per request was the JSON path's only
        // allocation (~150 B). Taken out while in use, so a converter that writes another response gets its own.
        var writer = t_jsonWriter ?? new Utf8JsonWriter(this);
        t_jsonWriter = null;
        writer.Reset(this);
        try
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
            writer.Flush();
        }
        finally
        {
            writer.Reset(Detached.Instance); // lets go of this response (Reset() would keep it)
            t_jsonWriter = writer;
        }
    }

    [ThreadStatic]
    private static Utf8JsonWriter? t_jsonWriter;

    /// <summary>Where an idle cached JSON writer points: nowhere (it is always reset onto a response before use).</summary>
    private sealed class Detached : IBufferWriter<byte>
    {
        public static readonly Detached Instance = new();
        public void Advance(int count) => throw new InvalidOperationException("a detached JSON writer was written to");
        public Memory<byte> GetMemory(int sizeHint = 0) => throw new InvalidOperationException("a detached JSON writer was written to");
        public Span<byte> GetSpan(int sizeHint = 0) => throw new InvalidOperationException("a detached JSON writer was written to");
    }

    /// <summary>Writes <paramref name="value"/> as JSON, with the type's metadata from the app's JSON options (see <c>NetloopAppBuilder.Json</c>).</summary>
    public void WriteJson<T>(T value) => WriteJson(value, (JsonTypeInfo<T>)_json.GetTypeInfo(typeof(T)));

    /// <summary>Sends the head now and streams the rest of the body (chunked on HTTP/1.1).</summary>
    public Task StartAsync()
    {
        if (!HasStarted && !BufferAll) StartStreamingNow();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Sends <paramref name="length"/> bytes of <paramref name="file"/> from <paramref name="offset"/> as the body, with sendfile(2)
    /// in the reactor modes. The response takes ownership of the handle. Nothing may be written before or after it.
    /// </summary>
    public void SendFile(SafeFileHandle file, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (HasStarted || _length > 0)
        {
            file.Dispose();
            throw new InvalidOperationException("a file must be the whole body of a response that has not started");
        }
        SentFile = true;
        HasStarted = true;
        if (BufferAll) _deferredFile = (file, offset, length);
        else _exchange.SendFile(file, offset, length);
    }

    /// <summary>On the connection's thread after a worker-thread handler: hands over a file it sent, if any.</summary>
    internal void SendDeferredFile()
    {
        if (_deferredFile is not { } deferred) return;
        _deferredFile = null;
        _exchange.SendFile(deferred.File, deferred.Offset, deferred.Length);
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_body.Length - _length)) throw new ArgumentOutOfRangeException(nameof(count));
        _length += count;
        if (HasStarted) FlushStreamed();
        else if (_length >= StreamingThreshold && !BufferAll) StartStreamingNow();
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        PrepareBufferWrite(sizeHint);
        return _body.AsMemory(_length);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        PrepareBufferWrite(sizeHint);
        return _body.AsSpan(_length);
    }

    internal void ClearBufferedBody() => _length = 0;

    private void PrepareBufferWrite(int sizeHint)
    {
        if (SentFile) throw new InvalidOperationException("the response body was a file; nothing can follow it");
        // A streamed response keeps using the buffer as a staging area; Advance sends it when it fills.
        EnsureRoom(Math.Max(sizeHint, 256));
    }

    private void StartStreamingNow()
    {
        ThrowIfStarted();
        HasStarted = true;
        _exchange.StartStreaming();
    }

    /// <summary>Called by the exchange after it sent the buffered bytes of a streaming response.</summary>
    internal void FlushStreamed()
    {
        if (_length == 0) return;
        _exchange.WriteStreamed(_body.AsSpan(0, _length));
        _length = 0;
    }

    private void EnsureRoom(int count)
    {
        if (_body.Length - _length >= count) return;
        Array.Resize(ref _body, Math.Max(_body.Length * 2, _length + count));
    }

    private void ThrowIfStarted()
    {
        if (HasStarted) throw new InvalidOperationException("the response has started; status and headers can no longer change");
    }
}
