using System.Net;
using Netloop.Baselines;
using Netloop.Protocols;
using Netloop.Protocols.Echo;
using Netloop.Server;
using Netloop.Transport;

namespace Netloop.Tests.Support;

/// <summary>A started server on 127.0.0.1 and an ephemeral port, stopped (and checked for leaks by the caller) on dispose.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(NetloopServer server, CapturingLoggerFactory logs)
    {
        Server = server;
        Logs = logs;
    }

    public NetloopServer Server { get; }

    public CapturingLoggerFactory Logs { get; }

    public IPEndPoint EndPoint => Server.LocalEndPoint;

    public static TestServer Start(ServerMode mode, Action<ServerOptions>? configure = null, IConnectionProtocolFactory? protocol = null, BaselineOptions? baselines = null)
    {
        var options = new ServerOptions
        {
            Address = IPAddress.Loopback,
            Port = 0,
            Loops = 2,
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        var logs = new CapturingLoggerFactory();
        var server = ModeServer.Create(mode, options, protocol ?? EchoProtocol.Instance, logs, baselines);
        server.Start();
        return new TestServer(server, logs);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }
}
