using System.Buffers;
using System.Diagnostics;
using System.Net;
using Netloop.Client;
using Netloop.Load.Pacing;
using Netloop.Load.Stats;
using Netloop.Protocols;
using Netloop.Transport;

namespace Netloop.Load.Runner;

/// <summary>
/// One of the run's <c>--connections</c>: a protocol object that lives for the whole run and is reused for every
/// connection it opens (after churn, a timeout, a reset). It keeps up to <c>--pipeline</c> requests in flight, paces
/// them in an open-loop run, times each from its start to its verified response, enforces the request timeout, and
/// reconnects when its connection ends. The subclasses know the wire: what a request is and where a response ends.
/// </summary>
/// <remarks>
/// The hot path, a response in and the next request out, allocates nothing: requests are pre-encoded and copied into the
/// output, start times live in a ring sized to the pipeline, and the histogram records into a fixed array.
/// </remarks>
internal abstract class ConnectionSlot : IClientProtocol
{
    /// <summary>Posted work that reconnects a slot (cached: no delegate per reconnect).</summary>
    public static readonly Action<object?> ReconnectWork = static state => ((ConnectionSlot)state!).Reconnect();

    private readonly LoopStats _stats;
    private readonly RunPlan _plan;
    private readonly long[] _startTicks;
    private readonly long[] _sentTicks;
    private OpenLoopSchedule _schedule;
    private IConnection? _connection;
    private int _head;
    private int _inFlight;
    private int _sentOnConnection;
    private long _timerDueTicks = long.MaxValue;
    private bool _connecting;
    private bool _closing;
    private bool _inputEnded;
    private bool _attempted;
    private bool _idleRequestDone;

    protected ConnectionSlot(LoadWorker worker, int index, IPAddress? source)
    {
        Worker = worker;
        Index = index;
        Source = source;
        _plan = worker.Plan;
        _stats = worker.Stats;
        _startTicks = new long[_plan.Pipeline];
        _sentTicks = new long[_plan.Pipeline];
    }

    public LoadWorker Worker { get; }

    /// <summary>The slot's number in the run (0 to connections - 1).</summary>
    public int Index { get; }

    /// <summary>The local address this slot connects from; null lets the kernel choose.</summary>
    public IPAddress? Source { get; }

    /// <summary>Requests sent and not yet answered on the current connection.</summary>
    public int InFlight => _inFlight;

    /// <summary>True while a connection is open (handshake done, not yet closed).</summary>
    public bool IsConnected => _connection is not null;

    /// <summary>True while a connect is under way (from <see cref="Start"/> or a reconnect until it succeeds or fails).</summary>
    public bool IsConnecting => _connecting;

    protected RunPlan Plan => _plan;

    protected bool HasInFlight => _inFlight > 0;

    /// <summary>Opens the slot's first connection (loop thread).</summary>
    public void Start() => Reconnect();

    /// <summary>Opens a new connection unless the run no longer needs one (loop thread).</summary>
    public void Reconnect()
    {
        if (_connection is not null || _connecting || !WantsConnection) return;
        _connecting = true;
        Worker.Connector.Connect(this);
    }

    private bool WantsConnection => !Worker.IsStopping && Worker.HasBudget && !(_plan.Idle && _idleRequestDone);

    void IConnectionProtocol.OnConnected(IConnection connection)
    {
        _connecting = false;
        _connection = connection;
        _attempted = true;
        _closing = false;
        _inputEnded = false;
        _sentOnConnection = 0;
        _head = 0;
        _inFlight = 0;
        _timerDueTicks = long.MaxValue;
        _stats.ConnectionOpened();
        OnNewConnection();
        long now = Worker.Clock();
        if (_plan.Options.Rate > 0 && !_schedule.IsEnabled)
        {
            // The schedule starts with the slot's first connection, so the handshakes of a thousand connections opening
            // at once are not charged to the first requests; from then on it runs on regardless of reconnects.
            _schedule = OpenLoopSchedule.Create(_plan.Options.Rate, _plan.Options.Connections, Index, now);
        }
        Pump(connection, now);
    }

    void IClientProtocol.OnConnectFailed(ConnectError reason)
    {
        _connecting = false;
        if (Worker.IsStopping) return;
        _stats.RecordError(reason switch
        {
            ConnectError.Refused => ErrorKind.ConnectRefused,
            ConnectError.TlsHandshake => ErrorKind.TlsHandshake,
            _ => ErrorKind.ConnectFailed,
        });
        Worker.OnConnectFailed(this, reason, firstAttempt: !_attempted);
        _attempted = true;
    }

    int IConnectionProtocol.OnReceived(IConnection connection, ReadOnlySpan<byte> data)
    {
        long now = Worker.Clock();
        if (_closing) return data.Length;
        int consumed = Consume(connection, data, now);
        if (!Worker.IsStopping) _stats.AddReceived(consumed);
        AfterResponses(connection, now);
        return consumed;
    }

    void IConnectionProtocol.OnInputCompleted(IConnection connection)
    {
        _inputEnded = true;
        if (!_closing && HasInFlight && EndOfInput(Worker.Clock())) _closing = true;
        connection.Close();
    }

    void IConnectionProtocol.OnTimer(IConnection connection)
    {
        _timerDueTicks = long.MaxValue;
        if (_closing) return;
        long now = Worker.Clock();
        if (_inFlight > 0 && _plan.TimeoutTicks > 0 && now - _sentTicks[_head] >= _plan.TimeoutTicks)
        {
            Fail(connection, ErrorKind.Timeout, now);
            return;
        }
        Pump(connection, now);
    }

    void IConnectionProtocol.OnClosed(IConnection connection, CloseReason reason)
    {
        bool wasOpen = _connection is not null;
        _connection = null;
        _connecting = false;
        _timerDueTicks = long.MaxValue;
        int lost = _inFlight;
        _inFlight = 0;
        _head = 0;
        long now = Worker.Clock();
        if (wasOpen) _stats.ConnectionClosed();
        if (lost > 0) Worker.OnEnded(lost, now);
        if (reason == CloseReason.Shutdown || !wasOpen) return;

        if (!_closing && !Worker.IsStopping)
        {
            if (reason == CloseReason.Reset) _stats.RecordError(ErrorKind.Reset);
            else if (lost > 0) _stats.RecordError(ErrorKind.ShortRead);
            else if (reason != CloseReason.Local || _inputEnded) _stats.ServerClosed();
        }
        _closing = false;
        if (WantsConnection) Worker.ScheduleReconnect(this);
    }

    /// <summary>Sends what the slot may send now, then arms the timer for the next send or the oldest request's timeout.</summary>
    private void Pump(IConnection connection, long now)
    {
        int pipeline = _plan.Pipeline;
        int perConnection = _plan.RequestsPerConnection;
        while (_inFlight < pipeline && MaySend)
        {
            long start;
            if (_schedule.IsEnabled)
            {
                if (!_schedule.IsDue(now)) break;
                start = _schedule.Take();
            }
            else
            {
                start = now;
            }
            bool last = perConnection > 0 && _sentOnConnection + 1 == perConnection;
            int bytes = WriteRequest(connection.Output, last);
            _stats.AddSent(bytes);
            int tail = _head + _inFlight;
            if (tail >= pipeline) tail -= pipeline;
            _startTicks[tail] = start;
            _sentTicks[tail] = now;
            _inFlight++;
            _sentOnConnection++;
            Worker.OnIssued();
        }
        ArmTimer(connection, now);
    }

    private bool MaySend =>
        !_closing && !Worker.IsStopping && Worker.HasBudget
        && (_plan.RequestsPerConnection == 0 || _sentOnConnection < _plan.RequestsPerConnection)
        && !(_plan.Idle && (_sentOnConnection > 0 || _idleRequestDone));

    // One protocol timer serves two deadlines, lazily: it is only moved earlier, never later, so the common case (a
    // response came back before the timeout) costs no timer operation. When it fires early it re-arms for what is due.
    private void ArmTimer(IConnection connection, long now)
    {
        long due = long.MaxValue;
        if (_inFlight > 0 && _plan.TimeoutTicks > 0) due = _sentTicks[_head] + _plan.TimeoutTicks;
        if (_schedule.IsEnabled && _inFlight < _plan.Pipeline && MaySend) due = Math.Min(due, _schedule.NextTicks);
        if (due >= _timerDueTicks) return;
        _timerDueTicks = due;
        connection.SetTimer(due <= now ? TimeSpan.Zero : Stopwatch.GetElapsedTime(now, due));
    }

    private void AfterResponses(IConnection connection, long now)
    {
        if (_connection is null || _closing) return;
        int perConnection = _plan.RequestsPerConnection;
        if (perConnection > 0 && _sentOnConnection >= perConnection && _inFlight == 0)
        {
            // Churn: the last request went out with Connection: close (HTTP) and is answered; the next connection replaces this one.
            _closing = true;
            connection.Close();
            return;
        }
        Pump(connection, now);
    }

    /// <summary>The oldest request in flight was answered; <paramref name="error"/> is null for a verified response.</summary>
    protected void Complete(long now, ErrorKind? error)
    {
        long start = _startTicks[_head];
        if (++_head == _plan.Pipeline) _head = 0;
        _inFlight--;
        if (_plan.Idle && !_idleRequestDone)
        {
            _idleRequestDone = true;
            Worker.OnIdleRequestEnded();
        }
        if (now >= _plan.DeadlineTicks) Worker.DeadlinePassed();
        if (!Worker.IsStopping)
        {
            if (error is null) _stats.RecordResponse(now - start);
            else _stats.RecordError(error.Value);
        }
        Worker.OnEnded(1, now);
    }

    /// <summary>The server said it closes after this response: send nothing more, close once this call returns.</summary>
    protected void ServerWillClose(IConnection connection)
    {
        _closing = true;
        connection.Close();
    }

    /// <summary>Counts <paramref name="kind"/> and drops the connection (a new one replaces it).</summary>
    protected void Fail(IConnection connection, ErrorKind kind, long now)
    {
        if (now >= _plan.DeadlineTicks) Worker.DeadlinePassed();
        if (!Worker.IsStopping) _stats.RecordError(kind);
        _closing = true;
        connection.Abort();
    }

    /// <summary>Copies <paramref name="bytes"/> into <paramref name="output"/> in as many pieces as its buffers need.</summary>
    protected static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var span = output.GetSpan(1);
            int n = Math.Min(span.Length, bytes.Length);
            bytes[..n].CopyTo(span);
            output.Advance(n);
            bytes = bytes[n..];
        }
    }

    /// <summary>A new connection is up: reset the response state.</summary>
    protected abstract void OnNewConnection();

    /// <summary>Writes one request (the connection's last when <paramref name="last"/>); returns its size.</summary>
    protected abstract int WriteRequest(IBufferWriter<byte> output, bool last);

    /// <summary>Takes response bytes, calling <see cref="Complete"/> per response; returns the bytes consumed.</summary>
    protected abstract int Consume(IConnection connection, ReadOnlySpan<byte> data, long now);

    /// <summary>The server closed its side: returns true when that completed a response (HTTP bodies that run to the close).</summary>
    protected virtual bool EndOfInput(long now) => false;
}
