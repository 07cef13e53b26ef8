using Netloop.Load.Runner;
using Netloop.Load.Stats;
using Netloop.Load.Targets;
using Netloop.Protocols;
using Netloop.Protocols.Http1;

namespace Netloop.Tests.Load.Http2;

/// <summary>
/// <c>netloop load --target h2c://… --idle</c>, the connections of the bench's h2-idle case, driven in memory: the
/// preface and SETTINGS go out, the exchange ends only when both sides' SETTINGS are acknowledged, and then the
/// connection holds, answering PING only.
/// </summary>
public sealed class Http2IdleSlotTests
{
    private static readonly byte[] s_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    // SETTINGS with MAX_CONCURRENT_STREAMS 100, then WINDOW_UPDATE on the connection, as servers open.
    private static readonly byte[] s_serverSettings = [0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100, 0, 0, 4, 8, 0, 0, 0, 0, 0, 0, 0x0f, 0, 1];
    private static readonly byte[] s_settingsAck = [0, 0, 0, 4, 1, 0, 0, 0, 0];

    private static LoadOptions IdleH2() => new()
    {
        Target = LoadTarget.Parse("h2c://127.0.0.1:8080"),
        Connections = 1,
        Idle = true,
        Duration = TimeSpan.FromHours(1),
    };

    [Fact]
    public void The_connection_opens_with_the_preface_and_an_empty_settings_frame()
    {
        var h = new LoadHarness(IdleH2());
        var connection = h.Connect();

        Assert.Equal([.. s_preface, 0, 0, 0, 4, 0, 0, 0, 0, 0], connection.TakeOutput());
        Assert.Equal(0, h.Worker.Stats.Requests);
    }

    [Fact]
    public void The_exchange_ends_once_both_settings_are_acknowledged_in_any_split_and_the_connection_then_holds()
    {
        byte[] server = [.. s_serverSettings, .. s_settingsAck];
        for (int cut = 0; cut <= server.Length; cut++)
        {
            var h = new LoadHarness(IdleH2());
            var connection = h.Connect();
            connection.TakeOutput();

            connection.Receive(server.AsSpan(0, cut));
            connection.Receive(server.AsSpan(cut));

            Assert.Equal(1, h.Worker.Stats.Requests);
            Assert.Equal(0, h.Worker.Stats.ErrorTotal);
            Assert.Equal(s_settingsAck, connection.TakeOutput());
            Assert.False(connection.IsClosed);
        }
    }

    [Fact]
    public void The_servers_settings_alone_do_not_end_the_exchange_and_the_ack_may_come_first()
    {
        var h = new LoadHarness(IdleH2());
        var connection = h.Connect();
        connection.TakeOutput();

        connection.Receive(s_settingsAck);
        Assert.Equal(0, h.Worker.Stats.Requests);
        connection.Receive(s_serverSettings);

        Assert.Equal(1, h.Worker.Stats.Requests);
        Assert.Equal(s_settingsAck, connection.TakeOutput());
    }

    [Fact]
    public void A_ping_is_answered_with_its_payload_and_the_ack_flag()
    {
        var h = new LoadHarness(IdleH2());
        var connection = h.Connect();
        connection.TakeOutput();
        connection.Receive([.. s_serverSettings, .. s_settingsAck]);
        connection.TakeOutput();

        connection.Receive([0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);

        Assert.Equal([0, 0, 8, 6, 1, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8], connection.TakeOutput());
        Assert.Equal(0, h.Worker.Stats.ErrorTotal);
    }

    [Fact]
    public void A_goaway_before_the_exchange_ends_is_a_refusal_and_costs_the_connection()
    {
        var h = new LoadHarness(IdleH2());
        var connection = h.Connect();
        connection.TakeOutput();

        connection.Receive([0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0d]);

        Assert.Equal(0, h.Worker.Stats.Requests);
        Assert.Equal(1, h.Worker.Stats.Errors(ErrorKind.BadStatus));
        Assert.True(connection.WasAborted);
    }

    [Fact]
    public void Against_netloops_own_http2_server_the_exchange_completes_and_no_stream_is_opened()
    {
        var h = new LoadHarness(IdleH2());
        var client = h.Connect();
        var server = new InMemoryConnection(new HttpProtocolFactory(context =>
        {
            context.Response.WriteText("x");
            return ValueTask.CompletedTask;
        }).Create());

        // Each side's output is the other's input, until both fall silent.
        for (int turn = 0; turn < 10; turn++)
        {
            byte[] toServer = client.TakeOutput();
            byte[] toClient = server.TakeOutput();
            if (toServer.Length == 0 && toClient.Length == 0) break;
            if (toServer.Length > 0) server.Receive(toServer);
            if (toClient.Length > 0) client.Receive(toClient);
        }

        Assert.Equal(1, h.Worker.Stats.Requests);
        Assert.Equal(0, h.Worker.Stats.ErrorTotal);
        Assert.False(client.IsClosed);
        Assert.False(server.IsClosed);
    }

    [Fact]
    public void An_h2c_target_has_no_path_and_needs_idle()
    {
        var target = LoadTarget.Parse("h2c://127.0.0.1:8080");
        Assert.Equal(TargetProtocol.Http2, target.Protocol);
        Assert.Equal("h2c", target.ProtocolName);
        Assert.False(LoadTarget.TryParse("h2c://127.0.0.1:8080/plaintext", out _, out string? error));
        Assert.Contains("has no path", error, StringComparison.Ordinal);

        var busy = Assert.Throws<ArgumentException>(() => (IdleH2() with { Idle = false }).Validate());
        Assert.Contains("--idle", busy.Message, StringComparison.Ordinal);
        var pipelined = Assert.Throws<ArgumentException>(() => (IdleH2() with { Pipeline = 4 }).Validate());
        Assert.Contains("--pipeline", pipelined.Message, StringComparison.Ordinal);
        IdleH2().Validate();
    }
}
