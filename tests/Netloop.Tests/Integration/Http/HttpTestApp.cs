using System.Net;
using System.Net.Sockets;
using System.Text;
using Netloop.Baselines;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Integration.Http;

/// <summary>An in-process HTTP app on an ephemeral port, with raw-socket helpers that send exact bytes and read exact responses.</summary>
public sealed class HttpTestApp : IAsyncDisposable
{
    private HttpTestApp(NetloopApp app, CapturingLoggerFactory logs)
    {
        App = app;
        Logs = logs;
    }

    public NetloopApp App { get; }

    public CapturingLoggerFactory Logs { get; }

    public IPEndPoint EndPoint => App.LocalEndPoint;

    public static HttpTestApp Start(Action<NetloopApp> map, Action<NetloopAppBuilder>? configure = null, ServerMode mode = ServerMode.Epoll)
    {
        var logs = new CapturingLoggerFactory();
        var builder = NetloopServer.CreateBuilder([]);
        builder.Options.Port = 0;
        builder.UseMode(mode);
        builder.Options.Loops = 2;
        builder.Options.ShutdownTimeout = TimeSpan.FromSeconds(5);
        builder.LoggerFactory = logs;
        configure?.Invoke(builder);
        var app = builder.Build();
        map(app);
        app.Start();
        return new HttpTestApp(app, logs);
    }

    public async ValueTask DisposeAsync() => await App.StopAsync().WaitAsync(Clients.Patience);

    /// <summary>Sends <paramref name="request"/> as is and returns everything the server sends until it closes the connection.</summary>
    public async Task<string> SendAndReadToCloseAsync(string request)
    {
        using var socket = await Clients.ConnectAsync(EndPoint);
        await socket.SendAsync(Encoding.Latin1.GetBytes(request));
        return await ReadToCloseAsync(socket);
    }

    public static async Task<string> ReadToCloseAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        using var cts = new CancellationTokenSource(Clients.Patience);
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0) break;
                text.Append(Encoding.Latin1.GetString(buffer, 0, n));
            }
        }
        catch (SocketException)
        {
            // A reset after the response still ends the connection.
        }
        return text.ToString();
    }

    public static int StatusOf(string response)
    {
        Assert.StartsWith("HTTP/1.1 ", response, StringComparison.Ordinal);
        return int.Parse(response.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
    }
}
