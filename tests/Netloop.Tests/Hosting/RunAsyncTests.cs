using System.Collections;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Hosting;

/// <summary>An app built by the builder and run by RunAsync: what it logs, and the services its handlers see.</summary>
public sealed partial class RunAsyncTests
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(20);

    private static (NetloopAppBuilder Builder, CapturingLoggerFactory Logs) Builder(params string[] args)
    {
        var builder = new NetloopAppBuilder(args, Directory.GetCurrentDirectory(), new Hashtable());
        var logs = new CapturingLoggerFactory();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new CapturingLoggerProvider(logs));
        return (builder, logs);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::1", "[::1]")]
    public async Task RunAsync_logs_listening_on_the_real_port_of_port_0_then_stops_when_cancelled(string address, string shown)
    {
        var (builder, logs) = Builder("--port", "0", "--address", address, "--loops", "1");
        var app = builder.Build();
        app.MapGet("/", context => context.Response.WriteText("up"));
        using var stop = new CancellationTokenSource();
        var run = app.RunAsync(stop.Token);

        var match = await CapturingLoggerProvider.WaitForAsync(logs, ListeningOn(), s_patience);
        Assert.Equal(shown, match.Groups["host"].Value);
        int port = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(0, port);
        Assert.Equal(port, app.LocalEndPoint.Port);
        var entry = logs.Entries.First(e => ListeningOn().IsMatch(e.Message));
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal("Netloop.Server", entry.Category);

        using var client = new HttpClient();
        Assert.Equal("up", await client.GetStringAsync(new Uri($"http://{shown}:{port}/")));

        await stop.CancelAsync();
        await run.WaitAsync(s_patience);
        Assert.Contains(logs.Entries, e => e.Message == "stopped");
        Assert.Empty(logs.Errors);
    }

    [Fact]
    public async Task Handlers_resolve_the_builders_services_through_RequestServices()
    {
        var (builder, logs) = Builder("--port", "0", "--loops", "1");
        builder.Configuration.AddInMemoryCollection([new("Greeting:Text", "hello from configuration")]);
        builder.Services.AddSingleton<VisitCounter>();
        await using var app = builder.Build();
        app.MapGet("/visits", context =>
        {
            var counter = context.RequestServices.GetRequiredService<VisitCounter>();
            context.Response.WriteText(counter.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        app.MapGet("/greeting", context =>
            context.Response.WriteText(context.RequestServices.GetRequiredService<IConfiguration>()["Greeting:Text"] ?? "none"));
        app.Start();

        using var client = new HttpClient { BaseAddress = new Uri($"http://{app.LocalEndPoint}/") };
        Assert.Equal("1", await client.GetStringAsync(new Uri("visits", UriKind.Relative)));
        Assert.Equal("2", await client.GetStringAsync(new Uri("visits", UriKind.Relative)));
        Assert.Equal("hello from configuration", await client.GetStringAsync(new Uri("greeting", UriKind.Relative)));
        Assert.Same(app.Services.GetRequiredService<VisitCounter>(), app.Services.GetRequiredService<VisitCounter>());
        Assert.Equal(2, app.Services.GetRequiredService<VisitCounter>().Count);
        await app.StopAsync();
        Assert.Empty(logs.Errors);
    }

    [Fact]
    public async Task A_server_for_a_protocol_of_ones_own_logs_tcp_and_serves()
    {
        var (builder, logs) = Builder("--port", "0", "--loops", "1");
        var server = builder.BuildServer(global::Netloop.Protocols.Echo.EchoProtocol.Instance);
        using var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        var match = await CapturingLoggerProvider.WaitForAsync(logs, new Regex(@"^listening on tcp://127\.0\.0\.1:(?<port>\d+)$"), s_patience);
        using (var socket = await Clients.ConnectAsync(new IPEndPoint(IPAddress.Loopback, int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture))))
        {
            await socket.SendAsync("ping"u8.ToArray());
            var buffer = new byte[4];
            int n = await socket.ReceiveAsync(buffer);
            Assert.Equal("ping"u8.ToArray(), buffer[..n]);
        }
        await stop.CancelAsync();
        await run.WaitAsync(s_patience);
        Assert.Empty(logs.Errors);
    }

    [Fact]
    public void A_builder_builds_once()
    {
        var (builder, _) = Builder("--port", "0");
        builder.Build();
        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [GeneratedRegex(@"^listening on http://(?<host>\[[^\]]+\]|[^:]+):(?<port>\d+)$")]
    private static partial Regex ListeningOn();

    private sealed class VisitCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public int Next() => Interlocked.Increment(ref _count);
    }
}
