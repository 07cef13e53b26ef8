using Netloop.Server;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Netloop.Hosting;
using Netloop.Tests.Support;

namespace Netloop.Tests.Hosting;

/// <summary>Netloop as a hosted service of the .NET Generic Host: configured, logged and stopped by the host.</summary>
public sealed class GenericHostTests
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(20);

    private static (HostApplicationBuilder Builder, CapturingLoggerFactory Logs) HostBuilder(params string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var logs = new CapturingLoggerFactory();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new CapturingLoggerProvider(logs));
        return (builder, logs);
    }

    [Fact]
    public async Task The_host_starts_the_server_which_serves_with_the_hosts_services_then_stops_it()
    {
        var (builder, logs) = HostBuilder("--Netloop:Port", "0");
        builder.Services.AddSingleton<Greeter>();
        builder.Services.AddNetloop(
            app => app.MapGet("/hello/{name}", context =>
                context.Response.WriteText(context.RequestServices.GetRequiredService<Greeter>().Greet(context.Route["name"]!))),
            options => options.Server.Loops = 1);
        using var host = builder.Build();

        await host.StartAsync().WaitAsync(s_patience);
        var netloop = host.Services.GetRequiredService<NetloopHostedService>();
        var endPoint = netloop.LocalEndPoint;
        Assert.NotEqual(0, endPoint.Port);
        Assert.Equal(1, netloop.App!.Options.Loops);
        Assert.Contains(logs.Entries, e => e.Message == $"listening on http://{endPoint}" && e.Level == LogLevel.Information);

        using (var client = new HttpClient())
        {
            Assert.Equal("hello, ada (1)", await client.GetStringAsync(new Uri($"http://{endPoint}/hello/ada")));
            Assert.Equal("hello, bob (2)", await client.GetStringAsync(new Uri($"http://{endPoint}/hello/bob")));
        }

        await host.StopAsync().WaitAsync(s_patience);
        var refused = await Assert.ThrowsAsync<SocketException>(() => Clients.ConnectAsync(endPoint));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Empty(logs.Errors);
    }

    [Fact]
    public async Task A_bad_Netloop_value_in_the_hosts_configuration_fails_the_host_start()
    {
        var (builder, _) = HostBuilder("--Netloop:Port", "70000");
        builder.Services.AddNetloop(app => app.MapGet("/", context => context.Response.WriteText("never")));
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<NetloopConfigurationException>(() => host.StartAsync());
        Assert.Equal("configuration 'Netloop:Port' must be 0-65535, got 70000", error.Message);
    }

    private sealed class Greeter
    {
        private int _count;

        public string Greet(string name) => $"hello, {name} ({Interlocked.Increment(ref _count)})";
    }
}
