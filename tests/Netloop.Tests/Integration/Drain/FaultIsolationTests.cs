using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Netloop.Baselines;
using Netloop.Tests.Support;
using Netloop.Transport;

namespace Netloop.Tests.Integration.Drain;

/// <summary>
/// A fault inside one connection's protocol closes that connection only, logged at error with its id, and the loop
/// and its other connections carry on; a fault of the loop itself fails the server as a whole: <c>Failed</c>
/// completes, the stop reports it, and a critical line says which loop.
/// </summary>
public sealed class FaultIsolationTests
{
    [Fact]
    public async Task A_protocol_that_throws_closes_its_own_connection_and_the_others_on_the_loop_carry_on()
    {
        var server = TestServer.Start(ServerMode.Epoll, o => o.Loops = 1, new FaultyEcho());
        using var healthy = await Clients.ConnectAsync(server.EndPoint);
        using var faulty = await Clients.ConnectAsync(server.EndPoint);
        Assert.Equal("one", await EchoAsync(healthy, "one"));

        await faulty.SendAsync("boom"u8.ToArray());
        Assert.True(await Clients.WaitForCloseAsync(faulty, Clients.Patience));

        Assert.Equal("two", await EchoAsync(healthy, "two"));
        using var later = await Clients.ConnectAsync(server.EndPoint);
        Assert.Equal("three", await EchoAsync(later, "three"));
        var error = Assert.Single(server.Logs.Errors);
        Assert.Contains("protocol failed", error.Message);
        Assert.Contains("connection ", error.Message);
        Assert.IsType<InvalidOperationException>(error.Exception);
        Assert.False(server.Server.Failed.IsCompleted);
        await server.DisposeAsync();
    }

    [Fact]
    public async Task A_fault_of_the_loop_itself_fails_the_server_and_the_stop_reports_it()
    {
        var server = TestServer.Start(ServerMode.Epoll, o => o.Loops = 2, new FaultyEcho());
        using var client = await Clients.ConnectAsync(server.EndPoint);
        await client.SendAsync("crash"u8.ToArray());

        var cause = await server.Server.Failed.WaitAsync(Clients.Patience);
        Assert.Equal("test fault: loop crash", cause.Message);
        var failure = await Assert.ThrowsAsync<NetloopException>(() => server.Server.StopAsync().WaitAsync(Clients.Patience));
        Assert.Contains("event loop", failure.Message);
        Assert.Contains(server.Logs.Entries, e => e.Level == LogLevel.Critical && e.Message.Contains("failed; the server stops"));
    }

    private static async Task<string> EchoAsync(Socket socket, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        await socket.SendAsync(bytes);
        var back = new byte[bytes.Length];
        await Clients.ReadExactlyAsync(socket, back).WaitAsync(Clients.Patience);
        return Encoding.ASCII.GetString(back);
    }

    /// <summary>Echoes, except that "boom" makes the protocol throw and "crash" fails the connection's loop.</summary>
    private sealed class FaultyEcho : IConnectionProtocol, IConnectionProtocolFactory
    {
        public string Name => "faulty-echo";

        public IConnectionProtocol Create() => this;

        public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
        {
            if (data.SequenceEqual("boom"u8)) throw new InvalidOperationException("test fault: protocol");
            if (data.SequenceEqual("crash"u8))
            {
                ((Connection)connection).Loop.FailForTest(new InvalidOperationException("test fault: loop crash"));
                return data.Length;
            }
            connection.Output.Write(data);
            return data.Length;
        }
    }
}
