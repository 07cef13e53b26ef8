using System.Diagnostics;
using System.Net;
using Netloop.Load.Echo;
using Netloop.Load.Http;
using Netloop.Load.Targets;

namespace Netloop.Load.Runner;

/// <summary>
/// What every connection of a run shares, fixed before the first connect: the encoded request or the echo payload, the
/// limits, and the clock readings (<see cref="Stopwatch"/> ticks) that bound the run.
/// </summary>
internal sealed class RunPlan
{
    public RunPlan(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        EndPoint = options.Target.EndPoint;
        Protocol = options.Target.Protocol;
        if (Protocol == TargetProtocol.Http) Request = new HttpRequestTemplate(options.Target, options.Method, options.Headers);
        else Payload = EchoPayload.Create(options.PayloadBytes);
        Pipeline = options.Pipeline;
        RequestsPerConnection = options.RequestsPerConnection;
        TimeoutTicks = options.Timeout > TimeSpan.Zero ? (long)(options.Timeout.TotalSeconds * Stopwatch.Frequency) : 0;
        ExpectStatus = options.ExpectStatus ?? 0;
        Idle = options.Idle;
        // Each loop opens its share of the batch; every loop gets at least one.
        IdleBatchPerLoop = Math.Max(1, (int)Math.Ceiling(options.IdleBatch / (double)Math.Max(1, options.Loops)));
    }

    public LoadOptions Options { get; }

    public IPEndPoint EndPoint { get; }

    public TargetProtocol Protocol { get; }

    /// <summary>The HTTP request (HTTP targets).</summary>
    public HttpRequestTemplate? Request { get; }

    /// <summary>The echo message (echo targets).</summary>
    public byte[]? Payload { get; }

    public int Pipeline { get; }

    public int RequestsPerConnection { get; }

    /// <summary>The request timeout in ticks; 0 when disabled.</summary>
    public long TimeoutTicks { get; }

    /// <summary>The only status accepted; 0 for any 2xx.</summary>
    public int ExpectStatus { get; }

    public bool Idle { get; }

    /// <summary>With <see cref="Idle"/>: connections one loop has opening or awaiting their answer at once.</summary>
    public int IdleBatchPerLoop { get; }

    /// <summary>When the load started (ticks).</summary>
    public long StartTicks { get; set; }

    /// <summary>Responses completing at or after this are not counted and no more requests are sent.</summary>
    public long DeadlineTicks { get; set; } = long.MaxValue;

    /// <summary>True when <paramref name="status"/> is what the run expects.</summary>
    public bool IsExpectedStatus(int status) => ExpectStatus == 0 ? status is >= 200 and <= 299 : status == ExpectStatus;
}
