using System.Collections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Netloop.Hosting;
using Netloop.Http;
using Netloop.Server;
using Netloop.Tests.Support;
using Netloop.Transport;

namespace Netloop.Tests.Hosting;

/// <summary>
/// A fault of an event loop itself, in an app run by <c>RunAsync</c> or hosted by the Generic Host: the run ends (the
/// host stops) with a critical line and exit code 1, instead of a process that waits for a signal with no server.
/// Both tests set <see cref="Environment.ExitCode"/>, the process's own: one class, so they never run at once.
/// </summary>
public sealed class LoopFailureHostingTests
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(20);
    private const string CrashPath = "/crash-loop";

    [Fact]
    public async Task RunAsync_returns_with_exit_code_1_and_a_critical_line_when_a_loop_fails()
    {
        var builder = new NetloopAppBuilder(["--port", "0", "--loops", "2"], Directory.GetCurrentDirectory(), new Hashtable());
        var logs = new CapturingLoggerFactory();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new CapturingLoggerProvider(logs));
        var app = builder.Build();
        MapRoutes(app);
        try
        {
            using var never = new CancellationTokenSource();
            var run = app.RunAsync(never.Token);
            await CapturingLoggerProvider.WaitForAsync(logs, new System.Text.RegularExpressions.Regex("^listening on "), s_patience);

            await CrashALoopAsync(app.LocalEndPoint.ToString());

            // Nothing cancels the run and no signal comes: only the failure can end it.
            await run.WaitAsync(s_patience);
            Assert.Equal(1, Environment.ExitCode);
            var critical = Assert.Single(logs.Entries, e => e.Level == LogLevel.Critical && e.Category == "Netloop.Server");
            Assert.Equal("the server failed (test fault: loop crash): stopping; exit code 1", critical.Message);
            Assert.DoesNotContain(logs.Entries, e => e.Message == "stopped");
        }
        finally
        {
            Environment.ExitCode = 0;
        }
    }

    [Fact]
    public async Task The_Generic_Host_stops_with_exit_code_1_and_a_critical_line_when_a_loop_fails()
    {
        var builder = Host.CreateApplicationBuilder(["--Netloop:Port", "0"]);
        var logs = new CapturingLoggerFactory();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new CapturingLoggerProvider(logs));
        builder.Services.AddNetloop(MapRoutes, options => options.Server.Loops = 2);
        using var host = builder.Build();
        try
        {
            await host.StartAsync().WaitAsync(s_patience);
            var netloop = host.Services.GetRequiredService<NetloopHostedService>();

            await CrashALoopAsync(netloop.LocalEndPoint.ToString());

            // Nothing but the failure asks the host to stop; the host's stop then stops the server without throwing.
            await host.WaitForShutdownAsync().WaitAsync(s_patience);
            Assert.True(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.IsCancellationRequested);
            Assert.Equal(1, Environment.ExitCode);
            var critical = Assert.Single(logs.Entries, e => e.Level == LogLevel.Critical && e.Category == "Netloop.Server");
            Assert.Equal("the server failed (test fault: loop crash): stopping; exit code 1", critical.Message);
        }
        finally
        {
            Environment.ExitCode = 0;
        }
    }

    private static void MapRoutes(NetloopApp app)
    {
        app.MapGet("/", context => context.Response.WriteText("up"));
        app.MapGet(CrashPath, context =>
        {
            if (context.Request.Connection is Connection connection) connection.Loop.FailForTest(new InvalidOperationException("test fault: loop crash"));
            context.Response.WriteText("crashing this loop");
        });
    }

    private static async Task CrashALoopAsync(string endPoint)
    {
        using var client = new HttpClient { Timeout = s_patience };
        try
        {
            await client.GetStringAsync(new Uri($"http://{endPoint}{CrashPath}"));
        }
        catch (HttpRequestException)
        {
            // The loop may die before the answer leaves: the failure is what the test waits for.
        }
    }
}
