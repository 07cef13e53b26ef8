using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Netloop.Baselines;
using Netloop.Protocols.Echo;
using Netloop.Server;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Modes;

/// <summary>
/// The async experiment (issue P5): each design serves the original test pattern (short-lived clients that send a line,
/// half-close and read the echo), and its shutdown is audited. A design that forgets its tasks must be caught leaking;
/// the ones that track them, and the reactor, must leave nothing behind.
/// </summary>
public partial class AsyncDesignTests(ITestOutputHelper output)
{
    public static TheoryData<ServerMode> AsyncDesigns => new(ServerModes.All.Where(m => m.IsAsyncDesign()));

    /// <summary>Designs that track their connections (all but fire-and-forget), and the reactor and baseline modes beside them.</summary>
    public static TheoryData<ServerMode> TrackingModes => new(ServerModes.All.Where(m => m != ServerMode.AsyncForget));

    private static bool ServesOneAtATime(ServerMode mode) => mode is ServerMode.Serial or ServerMode.AsyncSerial;

    [Theory]
    [MemberData(nameof(AsyncDesigns))]
    public async Task Two_hundred_concurrent_line_clients_each_get_their_line_back_then_EOF(ServerMode mode)
    {
        await using var server = Start(mode, TimeSpan.Zero);
        var lines = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => LineClientAsync(server.EndPoint, $"client {i} of 200\n")));
        for (int i = 0; i < lines.Length; i++) Assert.Equal($"client {i} of 200\n", lines[i]);

        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().Active == 0, Clients.Patience));
        var stats = server.Server.GetStats();
        Assert.Equal(200, stats.Accepted);
        Assert.Equal(stats.BytesReceived, stats.BytesSent);
        await server.Server.StopAsync();
        var audit = server.Server.Audit();
        Assert.Equal(0, audit.UnfinishedTasks);
        Assert.Equal(0, audit.BuffersOutstanding);
        Assert.Empty(server.Logs.Errors);
    }

    [Fact]
    public async Task Fire_and_forget_stopped_during_slow_handlers_is_caught_leaking_tasks_sockets_and_buffers()
    {
        await using var server = Start(ServerMode.AsyncForget, TimeSpan.FromSeconds(5));
        // Each client has its echo (and its FIN is in): every handler is now in its slow work.
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => LineClientAsync(server.EndPoint, $"slow {i}\n", expectEof: false)));

        await server.Server.StopAsync();
        var audit = server.Server.Audit();

        Assert.Equal(3, audit.UnfinishedTasks);
        Assert.Equal(3, audit.OpenConnections);
        Assert.Equal(3, audit.BuffersOutstanding);
        Assert.False(audit.IsClean);
        Assert.StartsWith("leaks: 3 tasks not finished, 3 connections open", audit.Verdict);
    }

    [Theory]
    [MemberData(nameof(TrackingModes))]
    public async Task A_tracking_design_stopped_during_slow_handlers_cuts_them_short_and_leaves_nothing(ServerMode mode)
    {
        await using var server = Start(mode, TimeSpan.FromSeconds(30));
        int clients = ServesOneAtATime(mode) ? 1 : 3;
        var slow = Enumerable.Range(0, clients).Select(i => LineClientAsync(server.EndPoint, $"slow {i}\n", expectEof: true)).ToArray();
        Assert.True(await Clients.EventuallyAsync(() => server.Server.GetStats().BytesSent >= clients * "slow 0\n".Length, Clients.Patience));

        // A 30 s delay against a 60 s patience: the clients' EOF can only come this soon from the stop cutting it short.
        await server.Server.StopAsync();
        var lines = await Task.WhenAll(slow);
        var audit = server.Server.Audit();

        for (int i = 0; i < clients; i++) Assert.Equal($"slow {i}\n", lines[i]);
        Assert.Equal(0, audit.UnfinishedTasks);
        Assert.Equal(0, audit.OpenConnections);
        Assert.Equal(0, audit.BuffersOutstanding);
    }

    [Fact]
    public async Task The_waiter_reaps_in_order_so_one_slow_task_holds_up_the_accept_loop_while_waiter2_does_not()
    {
        // One slow client first (its handler waits 30 s), then quick ones: with a queue of 2 the waiter is stuck on the
        // slow task, the queue fills, and the third quick client is not accepted; waiter2 reaps as tasks end.
        foreach (var (mode, expectStall) in new[] { (ServerMode.AsyncWaiter, true), (ServerMode.AsyncWaiter2, false) })
        {
            await using var server = Start(mode, TimeSpan.FromSeconds(30), baselines: new BaselineOptions { WaiterQueue = 2 });
            var slow = LineClientAsync(server.EndPoint, "slow\n", expectEof: false);
            await slow;
            int served = 0;
            for (int i = 0; i < 4; i++)
            {
                // The quick clients do not half-close: their handlers (and the waiter) wait on them, so queue order shows.
                using var quick = await Clients.ConnectAsync(server.EndPoint);
                await quick.SendAsync(Encoding.ASCII.GetBytes($"q{i}\n"));
                var buffer = new byte[16];
                var read = quick.ReceiveAsync(buffer.AsMemory()).AsTask();
                if (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(expectStall && i >= 2 ? 1 : 30))) == read && await read > 0) served++;
                quick.Shutdown(SocketShutdown.Send);
            }
            if (expectStall) Assert.InRange(served, 1, 3);
            else Assert.Equal(4, served);
            await server.Server.StopAsync();
            Assert.Equal(0, server.Server.Audit().UnfinishedTasks);
        }
    }

    [Fact]
    public void An_async_design_refuses_any_protocol_but_echo()
    {
        var options = new ServerOptions { Port = 0 };
        var http = new Netloop.Protocols.Http1.HttpProtocolFactory(_ => ValueTask.CompletedTask);
        var e = Assert.Throws<ArgumentException>(() => ModeServer.Create(ServerMode.AsyncGroup, options, http));
        Assert.Contains("async-group serves the echo protocol only", e.Message);
    }

    [Fact]
    public async Task The_cli_exits_1_with_the_leak_line_for_forget_and_0_for_group_after_limit_connections()
    {
        foreach (var (mode, leaks) in new[] { ("async-forget", true), ("async-group", false), ("epoll", false) })
        {
            await using var cli = CliProcess.Start(output, "serve", "--mode", mode, "--port", "0", "--limit", "2", "--handler-delay", "20s");
            var listening = await cli.WaitForLineAsync(ListeningLine(), TimeSpan.FromSeconds(30));
            var endPoint = new IPEndPoint(IPAddress.Loopback, int.Parse(listening.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture));
            await Task.WhenAll(LineClientAsync(endPoint, "a\n", expectEof: !leaks), LineClientAsync(endPoint, "b\n", expectEof: !leaks));

            Assert.True(await cli.WaitForExitAsync(TimeSpan.FromSeconds(30)), cli.Transcript());
            if (leaks)
            {
                Assert.Equal(1, cli.ExitCode);
                Assert.Matches(@"leaks: 2 tasks not finished, 2 connections open, 2 sockets above start-up, 2 pooled buffers outstanding", cli.StdOut);
            }
            else
            {
                Assert.Equal(0, cli.ExitCode);
                Assert.Contains("leaks: none", cli.StdOut);
            }
            Assert.Contains("served 2 connections (--limit)", cli.StdOut);
        }
    }

    [Fact]
    public async Task With_allow_leaks_a_leaking_stop_is_reported_and_exits_0()
    {
        await using var cli = CliProcess.Start(output, "serve", "--mode", "async-forget", "--port", "0", "--limit", "1", "--handler-delay", "20s", "--allow-leaks");
        var listening = await cli.WaitForLineAsync(ListeningLine(), TimeSpan.FromSeconds(30));
        var endPoint = new IPEndPoint(IPAddress.Loopback, int.Parse(listening.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture));
        await LineClientAsync(endPoint, "a\n", expectEof: false);

        Assert.True(await cli.WaitForExitAsync(TimeSpan.FromSeconds(30)), cli.Transcript());
        Assert.Equal(0, cli.ExitCode);
        Assert.Contains("leaks: 1 task not finished", cli.StdOut);
    }

    [Theory]
    [InlineData("--handler-delay", "5s", "--protocol", "http")]
    [InlineData("--mode", "async-select", "--protocol", "http")]
    [InlineData("--limit", "-1")]
    [InlineData("--mode", "async-nothing")]
    public async Task Bad_experiment_options_are_usage_errors(params string[] args)
    {
        var result = await CliProcess.RunToExitAsync(output, ["serve", "--port", "0", .. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("netloop: ", result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningLine();

    private static TestServer Start(ServerMode mode, TimeSpan handlerDelay, Action<ServerOptions>? configure = null, BaselineOptions? baselines = null) =>
        TestServer.Start(mode, o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(20);
            configure?.Invoke(o);
        }, EchoProtocol.WithCloseDelay(handlerDelay), baselines);

    /// <summary>The original experiment's client: send a line, half-close, read the echo; then (optionally) wait for EOF.</summary>
    private static async Task<string> LineClientAsync(IPEndPoint endPoint, string line, bool expectEof = true)
    {
        using var socket = await Clients.ConnectAsync(endPoint);
        var bytes = Encoding.ASCII.GetBytes(line);
        await socket.SendAsync(bytes, SocketFlags.None).WaitAsync(Clients.Patience);
        socket.Shutdown(SocketShutdown.Send);
        var echoed = new byte[bytes.Length];
        await Clients.ReadExactlyAsync(socket, echoed).WaitAsync(Clients.Patience);
        if (expectEof)
        {
            int tail = await socket.ReceiveAsync(new byte[1].AsMemory()).AsTask().WaitAsync(Clients.Patience);
            Assert.Equal(0, tail);
        }
        return Encoding.ASCII.GetString(echoed);
    }
}
