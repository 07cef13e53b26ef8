using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Netloop.Http;
using Netloop.Protocols.Http1;
using Netloop.Protocols.Http2.Hpack;
using Netloop.Transport;

namespace Netloop.Protocols.Http2;

/// <summary>
/// One HTTP/2 connection (RFC 9113): reads frames, runs one <see cref="Http2Stream"/> per request through the same
/// application and <see cref="HttpContext"/> as HTTP/1.1, and writes responses under flow control. Everything runs on
/// the connection's thread (its event loop); handlers' continuations come back through the stream's synchronization
/// context. Split by concern: this file is the frame loop and the connection's life, <c>.Frames.cs</c> the control
/// frames, <c>.Headers.cs</c> header blocks and new streams, <c>.Data.cs</c> request bodies and receive windows,
/// <c>.Output.cs</c> writing responses under the send windows, <c>.Defences.cs</c> the flood budgets,
/// <c>.Lifetime.cs</c> timers, GOAWAY and shutdown.
/// </summary>
internal sealed partial class Http2Connection : IConnectionProtocol, IOutputDrainedListener, IGracefulShutdown, IIdleTimeoutAware
{
    private readonly HttpProtocolFactory _factory;
    private readonly Http2Limits _limits;
    private IConnection _connection = null!;
    private Phase _phase;
    private int _turnThread;

    // Streams open or half-closed (RFC 9113 §5.1), by id; created with the first stream, kept for the connection's life.
    private Dictionary<int, Http2Stream>? _streams;
    // Streams reset or closed while their handler still runs: they count against the concurrency limit (twice the
    // advertised one) so resetting streams cannot start unbounded work (CVE-2023-44487).
    private int _detachedHandlers;
    private int _lastClientStreamId;
    private long _streamsOpened;

    // Both allocated with the first header block: an idle connection that never sent a request holds no HPACK state.
    private HpackDecoder? _decoder;
    private HpackEncoder? _encoder;

    private enum Phase
    {
        /// <summary>The 24-byte client preface has not all arrived.</summary>
        AwaitingPreface,
        /// <summary>The preface arrived; the client's first frame must be SETTINGS (§3.4).</summary>
        AwaitingSettings,
        Open,
        /// <summary>A connection error was sent, or the connection closed: nothing more is read.</summary>
        Closed,
    }

    public Http2Connection(HttpProtocolFactory factory)
    {
        _factory = factory;
        _limits = factory.Limits.Http2;
        _receiveWindow = DefaultWindow;
        _sendWindow = DefaultWindow;
    }

    internal IConnection? Connection => _phase == Phase.Closed && _connection is null ? null : _connection;

    private ILogger Logger => _factory.Logger;

    private Http2Counters Counters => _factory.Http2Counters;

    private bool IsClosed => _phase == Phase.Closed;

    /// <summary>
    /// Starts serving <paramref name="connection"/>, which must open with the client preface (prior knowledge, or ALPN
    /// <c>h2</c>): writes the server preface. The caller switches the connection to this protocol and hands it the
    /// bytes received so far.
    /// </summary>
    public void Start(IConnection connection)
    {
        _connection = connection;
        Interlocked.Increment(ref Counters.Connections);
        WriteServerPreface();
        ArmPrefaceTimer();
    }

    /// <summary>
    /// Starts serving a connection that upgraded from HTTP/1.1 (RFC 7540 §3.2, kept by RFC 9113 §3.1 for existing
    /// clients): <paramref name="http2Settings"/> is the decoded HTTP2-Settings header, applied as the client's first
    /// SETTINGS (the 101 acknowledged it), and <paramref name="context"/>, whose head the HTTP/1.1 side parsed, is the
    /// request of stream 1, half-closed from the client's side. The client preface must still follow.
    /// </summary>
    public bool StartUpgraded(IConnection connection, ReadOnlySpan<byte> http2Settings, HttpContext context)
    {
        int turn = EnterTurn();
        try
        {
            return StartUpgradedOnTurn(connection, http2Settings, context);
        }
        finally
        {
            ExitTurn(turn);
        }
    }

    private bool StartUpgradedOnTurn(IConnection connection, ReadOnlySpan<byte> http2Settings, HttpContext context)
    {
        _connection = connection;
        Interlocked.Increment(ref Counters.Connections);
        if (!ApplySettings(http2Settings, acknowledge: false)) return false;
        WriteServerPreface();
        ArmPrefaceTimer();
        NoteStreamOpened(1);
        OpenUpgradedStream(context);
        return !IsClosed;
    }

    /// <summary>Marks the calling thread as running a turn of this connection (a protocol call or posted work).</summary>
    internal int EnterTurn()
    {
        int saved = _turnThread;
        _turnThread = Environment.CurrentManagedThreadId;
        return saved;
    }

    internal void ExitTurn(int saved)
    {
        _turnThread = saved;
        // The outermost turn on this thread ends: what the handlers read in it may be due back to the client.
        if (saved != Environment.CurrentManagedThreadId && _connectionCredit > 0) CreditAtTurnEnd();
    }

    /// <summary>False on a thread that is not running one of this connection's turns (handler code after ConfigureAwait(false)).</summary>
    internal bool OnTurn => _turnThread == Environment.CurrentManagedThreadId;

    /// <summary>Runs <paramref name="action"/> as a turn of this connection, soon, from any thread.</summary>
    internal void PostTurn<T>(Action<Http2Connection, T> action, T state)
    {
        var connection = _connection;
        if (connection is null) return;
        connection.Post(static s =>
        {
            var (self, work, value) = ((Http2Connection, Action<Http2Connection, T>, T))s!;
            if (self.IsClosed) return;
            int turn = self.EnterTurn();
            try
            {
                work(self, value);
            }
            finally
            {
                self.ExitTurn(turn);
            }
        }, (this, action, state));
    }

    public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
    {
        int turn = EnterTurn();
        try
        {
            return Receive(data);
        }
        finally
        {
            ExitTurn(turn);
        }
    }

    private int Receive(ReadOnlySpan<byte> data)
    {
        int consumed = 0;
        if (_phase == Phase.AwaitingPreface)
        {
            var match = Http2Preface.Match(data);
            if (match == PrefaceMatch.NeedMore) return 0;
            if (match == PrefaceMatch.NotHttp2)
            {
                ConnectionError(Http2ErrorCode.ProtocolError, "the connection did not start with the HTTP/2 client preface");
                return data.Length;
            }
            consumed = Http2Preface.Length;
            _phase = Phase.AwaitingSettings;
        }
        while (!IsClosed)
        {
            var rest = data[consumed..];
            if (rest.Length < Http2FrameHeader.Size) break;
            var frame = Http2FrameHeader.Read(rest);
            if (frame.Length > _limits.MaxFrameSize)
            {
                // §4.2: a frame larger than SETTINGS_MAX_FRAME_SIZE; it may carry header state, so the whole connection goes.
                ConnectionError(Http2ErrorCode.FrameSizeError, $"a {frame.Type} frame of {frame.Length} bytes exceeds the maximum frame size {_limits.MaxFrameSize}");
                break;
            }
            if (rest.Length < Http2FrameHeader.Size + frame.Length) break;
            consumed += Http2FrameHeader.Size + frame.Length;
            ProcessFrame(frame, rest.Slice(Http2FrameHeader.Size, frame.Length));
        }
        return IsClosed ? data.Length : consumed;
    }

    private void ProcessFrame(Http2FrameHeader frame, ReadOnlySpan<byte> payload)
    {
        if (_headerBlockStreamId != 0 && frame.Type != Http2FrameType.Continuation)
        {
            // §6.10: a header block is one unit; nothing may come between its frames.
            ConnectionError(Http2ErrorCode.ProtocolError, $"a {frame.Type} frame interrupted the header block of stream {_headerBlockStreamId}");
            return;
        }
        if (_phase == Phase.AwaitingSettings)
        {
            // §3.4: the client preface ends with a SETTINGS frame.
            if (frame.Type != Http2FrameType.Settings || frame.HasFlag(Http2Flags.Ack))
            {
                ConnectionError(Http2ErrorCode.ProtocolError, "the client preface was not followed by a SETTINGS frame");
                return;
            }
            _phase = Phase.Open;
            DisarmPrefaceTimer();
        }
        switch (frame.Type)
        {
            case Http2FrameType.Data: OnData(frame, payload); break;
            case Http2FrameType.Headers: OnHeaders(frame, payload); break;
            case Http2FrameType.Continuation: OnContinuation(frame, payload); break;
            case Http2FrameType.Priority: OnPriority(frame, payload); break;
            case Http2FrameType.RstStream: OnRstStream(frame, payload); break;
            case Http2FrameType.Settings: OnSettings(frame, payload); break;
            case Http2FrameType.PushPromise:
                // §8.4: only servers push; a client that sends PUSH_PROMISE breaks the protocol.
                ConnectionError(Http2ErrorCode.ProtocolError, "a client sent PUSH_PROMISE");
                break;
            case Http2FrameType.Ping: OnPing(frame, payload); break;
            case Http2FrameType.GoAway: OnGoAway(frame, payload); break;
            case Http2FrameType.WindowUpdate: OnWindowUpdate(frame, payload); break;
            default:
                // §4.1, §5.5: frames of unknown types are ignored (CONTINUATION order was checked above).
                break;
        }
    }

    /// <summary>Strips the padding of a DATA or HEADERS frame (§6.1, §6.2); false (after a connection error) when the padding is longer than the frame.</summary>
    private bool TryRemovePadding(Http2FrameHeader frame, ref ReadOnlySpan<byte> payload)
    {
        if (!frame.HasFlag(Http2Flags.Padded)) return true;
        if (payload.IsEmpty)
        {
            ConnectionError(Http2ErrorCode.FrameSizeError, $"a padded {frame.Type} frame has no pad length");
            return false;
        }
        int padLength = payload[0];
        if (padLength >= payload.Length)
        {
            ConnectionError(Http2ErrorCode.ProtocolError, $"the padding of a {frame.Type} frame is as long as the frame");
            return false;
        }
        payload = payload[1..^padLength];
        return true;
    }

    private Http2Stream? FindStream(int streamId) =>
        _streams is not null && _streams.TryGetValue(streamId, out var stream) ? stream : null;

    /// <summary>An id the client has not used yet: the stream is idle (§5.1).</summary>
    private bool IsIdle(int streamId) => streamId > _lastClientStreamId;

    public void OnInputCompleted(IConnection connection)
    {
        int turn = EnterTurn();
        try
        {
            // The client will send nothing more: streams still answering may finish; then close.
            _clientGoneAway = true;
            EndStreamsAwaitingClient();
            if (!IsClosed && ActiveStreamCount == 0) CloseConnection();
        }
        finally
        {
            ExitTurn(turn);
        }
    }

    /// <summary>
    /// After the client's FIN, a stream it had not ended can never get the rest of its request: RST_STREAM(CANCEL), and
    /// its handler sees the body fail and RequestAborted. Left open, it would hold the connection forever.
    /// </summary>
    private void EndStreamsAwaitingClient()
    {
        if (_streams is null || _streams.Count == 0) return;
        Http2Stream[]? waiting = null;
        int count = 0;
        foreach (var stream in _streams.Values)
        {
            if (stream.RemoteClosed) continue;
            waiting ??= new Http2Stream[_streams.Count];
            waiting[count++] = stream;
        }
        for (int i = 0; i < count && !IsClosed; i++)
        {
            var stream = waiting![i];
            Http2FrameWriter.WriteRstStream(_connection.Output, stream.Id, Http2ErrorCode.Cancel);
            RememberReset(stream.Id);
            CloseStream(stream, new ClientDisconnectedException($"the client closed its side of the connection before ending stream {stream.Id}"));
        }
        if (!IsClosed) _connection.Flush();
    }

    public void OnClosed(IConnection connection, CloseReason reason)
    {
        _phase = Phase.Closed;
        DropHeaderBlock();
        if (_streams is not null)
        {
            foreach (var stream in _streams.Values) stream.Abort(new ClientDisconnectedException($"the connection closed ({reason})"));
            _streams.Clear();
        }
        _sendQueue?.Clear();
    }

    private int ActiveStreamCount => _streams?.Count ?? 0;

    /// <summary>Streams open or half-closed now (for tests and stats).</summary>
    internal int OpenStreamCount => ActiveStreamCount;

    /// <summary>Whether HPACK tables were allocated (a connection that never sent a request has none).</summary>
    internal bool HasHpackState => _decoder is not null || _encoder is not null;

    /// <summary>Reads the 32-bit big-endian value at the start of <paramref name="payload"/>, without its reserved bit.</summary>
    private static int ReadStreamId(ReadOnlySpan<byte> payload) => (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7fff_ffff);
}
