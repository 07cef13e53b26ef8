using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Netloop.Baselines;
using Netloop.Client;
using Netloop.Protocols;
using Netloop.Server;
using Netloop.Tests.Support;
using Netloop.Transport;

namespace Netloop.Tests.Client;

public sealed class ClientLoopTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Sends one message on connect, collects the echo, closes once it is all back; records every callback.</summary>
    private sealed class EchoOnce(byte[] message) : IClientProtocol
    {
        private readonly MemoryStream _received = new();
        public TaskCompletionSource<string> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Connected;
        public CloseReason? ClosedWith;
        public byte[] Received => _received.ToArray();

        public void OnConnected(IConnection connection)
        {
            Connected++;
            BuffersExtensions.Write(connection.Output, message);
        }

        public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
        {
            _received.Write(data);
            if (_received.Length >= message.Length) connection.Close();
            return data.Length;
        }

        public void OnClosed(IConnection connection, CloseReason reason)
        {
            ClosedWith = reason;
            Outcome.TrySetResult("closed:" + reason);
        }

        public void OnConnectFailed(ConnectError reason) => Outcome.TrySetResult("failed:" + reason);
    }

    private static void ConnectOnLoop(ClientLoop loop, IPEndPoint remote, IPAddress? local, IClientProtocol protocol) =>
        loop.Post(_ => loop.Connect(remote, local, protocol), null);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Connects_sends_and_receives_the_echo_then_closes_with_every_buffer_returned(bool usePoll)
    {
        await using var server = TestServer.Start(ServerMode.Epoll);
        var message = new byte[200_000];
        new Random(7).NextBytes(message);
        var protocol = new EchoOnce(message);
        using var loop = new ClientLoop(new ClientLoopOptions { UsePoll = usePoll });
        loop.Start();

        ConnectOnLoop(loop, server.EndPoint, null, protocol);

        Assert.Equal("closed:Local", await protocol.Outcome.Task.WaitAsync(Bound));
        Assert.Equal(1, protocol.Connected);
        Assert.Equal(message, protocol.Received);
        await loop.StopAsync().WaitAsync(Bound);
        Assert.Equal(0, loop.ActiveConnections);
        Assert.Equal(0, loop.OutstandingBuffers);
    }

    [Fact]
    public async Task A_port_with_no_listener_fails_with_Refused_and_nothing_else()
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        var protocol = new EchoOnce([1, 2, 3]);
        using var loop = new ClientLoop();
        loop.Start();

        ConnectOnLoop(loop, new IPEndPoint(IPAddress.Loopback, port), null, protocol);

        Assert.Equal("failed:Refused", await protocol.Outcome.Task.WaitAsync(Bound));
        Assert.Equal(0, protocol.Connected);
        Assert.Null(protocol.ClosedWith);
        Assert.Equal(0, loop.ActiveConnections);
    }

    [Fact]
    public async Task A_source_address_is_the_address_the_server_sees()
    {
        var seen = new TaskCompletionSource<IPEndPoint?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: new RemoteRecorder(seen));
        var protocol = new EchoOnce([9]);
        using var loop = new ClientLoop();
        loop.Start();

        ConnectOnLoop(loop, server.EndPoint, IPAddress.Parse("127.0.0.3"), protocol);

        var remote = await seen.Task.WaitAsync(Bound);
        Assert.Equal(IPAddress.Parse("127.0.0.3"), remote!.Address);
        Assert.Equal("closed:Local", await protocol.Outcome.Task.WaitAsync(Bound));
    }

    [Fact]
    public async Task Stopping_aborts_open_connections_and_their_protocols_see_Shutdown()
    {
        // The server swallows everything and answers nothing, so no client can finish on its own before the stop.
        await using var server = TestServer.Start(ServerMode.Epoll, protocol: new Silent());
        var protocols = Enumerable.Range(0, 20).Select(_ => new EchoOnce(new byte[100_000])).ToArray();
        var loop = new ClientLoop();
        loop.Start();
        foreach (var p in protocols) ConnectOnLoop(loop, server.EndPoint, null, p);
        // Wait until all are connected.
        var giveUp = DateTime.UtcNow + Bound;
        while (protocols.Any(p => Volatile.Read(ref p.Connected) == 0) && !protocols.Any(p => p.Outcome.Task.IsCompleted) && DateTime.UtcNow < giveUp)
        {
            await Task.Delay(10);
        }

        await loop.StopAsync().WaitAsync(Bound);
        loop.Dispose();

        foreach (var p in protocols)
        {
            Assert.True(p.Outcome.Task.IsCompleted);
            Assert.Equal("closed:Shutdown", await p.Outcome.Task);
        }
        Assert.Equal(0, loop.ActiveConnections);
        Assert.Equal(0, loop.OutstandingBuffers);
    }

    [Fact]
    public void Connect_off_the_loop_thread_is_refused()
    {
        using var loop = new ClientLoop();
        loop.Start();
        var e = Assert.Throws<InvalidOperationException>(() => loop.Connect(new IPEndPoint(IPAddress.Loopback, 1), null, new EchoOnce([1])));
        Assert.Contains("loop thread", e.Message);
    }

    [Fact]
    public async Task Many_connections_from_several_source_addresses_all_complete()
    {
        await using var server = TestServer.Start(ServerMode.Epoll);
        var protocols = Enumerable.Range(0, 300).Select(i => new EchoOnce(Encoding.ASCII.GetBytes($"message {i}\n"))).ToArray();
        using var loop = new ClientLoop();
        loop.Start();
        loop.Post(_ =>
        {
            for (int i = 0; i < protocols.Length; i++)
            {
                loop.Connect(server.EndPoint, IPAddress.Parse($"127.0.0.{1 + (i % 4)}"), protocols[i]);
            }
        }, null);

        var outcomes = await Task.WhenAll(protocols.Select(p => p.Outcome.Task)).WaitAsync(Bound);

        Assert.All(outcomes, o => Assert.Equal("closed:Local", o));
        for (int i = 0; i < protocols.Length; i++) Assert.Equal($"message {i}\n", Encoding.ASCII.GetString(protocols[i].Received));
    }

    private sealed class Silent : IConnectionProtocol, IConnectionProtocolFactory
    {
        public string Name => "silent";
        public IConnectionProtocol Create() => this;
        public int OnReceived(IConnection connection, ReadOnlySpan<byte> data) => data.Length;
    }

    private sealed class RemoteRecorder(TaskCompletionSource<IPEndPoint?> seen) : IConnectionProtocol, IConnectionProtocolFactory
    {
        public string Name => "remote-recorder";
        public IConnectionProtocol Create() => this;

        public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
        {
            seen.TrySetResult(connection.RemoteEndPoint);
            BuffersExtensions.Write(connection.Output, data);
            return data.Length;
        }
    }
}
