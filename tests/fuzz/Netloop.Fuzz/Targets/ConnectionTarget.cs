using Netloop.Protocols;
using Netloop.Transport;

namespace Netloop.Fuzz;

/// <summary>Which way the connection targets start a connection.</summary>
internal enum ConnectionKind
{
    /// <summary>HTTP/1.1 only (the factory's protocols limited to HTTP/1.1).</summary>
    Http1,
    /// <summary>HTTP/2 at once, as after ALPN h2; the target sends the client preface, the input follows it.</summary>
    Http2,
    /// <summary>The protocol-detecting start every plaintext connection gets: HTTP/1.1, or h2c by its preface.</summary>
    Any,
}

/// <summary>
/// Whole connections on <see cref="InMemoryConnection"/>: the input arrives in steps (the step size from its last
/// byte), posted work runs and output is taken after each, then the driven clock moves on for ten minutes so every
/// timer (request headers, body rate, keep-alive, HTTP/2 ping and settings timeouts) fires, then the peer half-closes
/// and finally resets. Nothing the peer sends may throw out of the protocol.
/// </summary>
internal sealed class ConnectionTarget(ConnectionKind kind) : FuzzTarget
{
    private static readonly byte[] s_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private static readonly Lazy<Netloop.Protocols.Http1.HttpProtocolFactory> s_http1Only = new(() =>
        new Netloop.Protocols.Http1.HttpProtocolFactory(FuzzApp.Protocol.Application,
            new Netloop.Protocols.Http1.HttpLimits { Protocols = Netloop.Protocols.Http1.HttpProtocols.Http1 }));

    public override string Name => kind switch
    {
        ConnectionKind.Http1 => "connection-http1",
        ConnectionKind.Http2 => "connection-http2",
        _ => "connection-any",
    };

    public override string Description => kind switch
    {
        ConnectionKind.Http1 => "Http1Connection with a demo app: the input is what the client sends",
        ConnectionKind.Http2 => "Http2Connection with a demo app: the input is the frames after the client preface",
        _ => "the HTTP/1.1-or-h2c start with a demo app: the input is what the client sends",
    };

    public override void Run(ReadOnlySpan<byte> input)
    {
        var clock = new DrivenClock();
        var factory = kind == ConnectionKind.Http1 ? s_http1Only.Value : FuzzApp.Protocol;
        var connection = new InMemoryConnection(factory.Create(), clock);
        if (kind == ConnectionKind.Http2)
        {
            connection.SwitchProtocol(factory.CreateForAlpn(connection, "h2"u8));
            if (!Step(connection, clock, s_preface)) return;
        }

        int step = FuzzInput.StepSize(input);
        for (int at = 0; at < input.Length; at += step)
        {
            if (!Step(connection, clock, input.Slice(at, Math.Min(step, input.Length - at)))) break;
        }
        for (int i = 0; i < 20 && !connection.IsClosed; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(30));
            connection.RunDueTimer();
            Drain(connection);
        }
        connection.CompleteInput();
        Drain(connection);
        connection.Drop(CloseReason.Reset);
        Drain(connection);
    }

    private static bool Step(InMemoryConnection connection, DrivenClock clock, ReadOnlySpan<byte> bytes)
    {
        bool open = connection.Receive(bytes);
        Drain(connection);
        clock.Advance(TimeSpan.FromMilliseconds(50));
        connection.RunDueTimer();
        Drain(connection);
        return open && !connection.IsClosed;
    }

    private static void Drain(InMemoryConnection connection)
    {
        connection.RunPosted();
        connection.TakeOutput();
        connection.RunPosted();
    }
}
