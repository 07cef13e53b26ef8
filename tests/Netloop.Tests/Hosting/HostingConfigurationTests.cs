using System.Collections;
using System.Net;
using Microsoft.Extensions.Configuration;
using Netloop.Hosting;
using Netloop.Server;

namespace Netloop.Tests.Hosting;

/// <summary>Where the builder's settings come from (appsettings.json, environment, command line) and how a bad value is reported.</summary>
public sealed class HostingConfigurationTests : IDisposable
{
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("netloop-hosting-").FullName;

    public void Dispose() => Directory.Delete(_contentRoot, recursive: true);

    private NetloopAppBuilder Builder(string[] args, IDictionary? environment = null) =>
        new(args, _contentRoot, environment ?? new Hashtable());

    [Fact]
    public void Defaults_without_any_source()
    {
        var builder = Builder([]);
        Assert.Equal(8080, builder.Options.Port);
        Assert.Equal(IPAddress.Loopback, builder.Options.Address);
        Assert.Equal(0, builder.HandlerThreads);
    }

    [Fact]
    public void Command_line_switches_and_full_keys_set_the_options()
    {
        var builder = Builder(["--port", "9001", "--address=::1", "--loops", "3", "--max-connections", "77", "--reuse-port", "false",
            "--handler-threads", "2", "--idle-timeout", "00:00:05", "--mode", "poll", "--Netloop:Limits:MaxRequestBodySize=1000", "positional"]);
        Assert.Equal(9001, builder.Options.Port);
        Assert.Equal(IPAddress.IPv6Loopback, builder.Options.Address);
        Assert.Equal(3, builder.Options.Loops);
        Assert.Equal(77, builder.Options.MaxConnections);
        Assert.False(builder.Options.ReusePort);
        Assert.Equal(2, builder.HandlerThreads);
        Assert.Equal(TimeSpan.FromSeconds(5), builder.Options.IdleTimeout);
        Assert.Equal(Poller.Poll, builder.Options.Poller);
        Assert.Equal(1000, builder.Limits.MaxRequestBodySize);
        Assert.Equal("9001", builder.Configuration["Netloop:Port"]);
    }

    [Fact]
    public void Per_IP_limits_bind_from_switches_and_keys()
    {
        var builder = Builder(["--max-connections-per-ip", "8", "--rate-limit", "600/m", "--burst", "20", "--ipv6-prefix", "56",
            "--max-tracked-addresses", "1000", "--Netloop:PerIpLimits:EntryExpiry=00:00:30"]);
        var perIp = builder.Options.PerIpLimits;
        Assert.Equal(8, perIp.MaxConnectionsPerIp);
        Assert.Equal(10, perIp.RequestsPerSecond);
        Assert.Equal(20, perIp.Burst);
        Assert.Equal(56, perIp.Ipv6PrefixLength);
        Assert.Equal(1000, perIp.MaxTrackedAddresses);
        Assert.Equal(TimeSpan.FromSeconds(30), perIp.EntryExpiry);
        Assert.False(Builder([]).Options.PerIpLimits.IsEnabled);
    }

    [Fact]
    public void The_abuse_defences_have_switches_that_set_the_options()
    {
        var builder = Builder(["--send-timeout", "00:00:07", "--request-headers-timeout", "00:00:03", "--min-request-body-data-rate", "100"]);
        Assert.Equal(TimeSpan.FromSeconds(7), builder.Options.SendTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), builder.Limits.RequestHeadersTimeout);
        Assert.Equal(100, builder.Limits.MinRequestBodyDataRate);
        Assert.Equal(TimeSpan.FromSeconds(60), Builder([]).Options.SendTimeout);
    }

    [Fact]
    public void NETLOOP_environment_variables_map_to_the_Netloop_section()
    {
        var environment = new Hashtable
        {
            ["NETLOOP_PORT"] = "9002",
            ["NETLOOP_MAX_CONNECTIONS"] = "55",
            ["NETLOOP_LIMITS__MAX_REQUEST_HEADER_COUNT"] = "12",
            ["NETLOOP_SHUTDOWN_TIMEOUT"] = "00:00:02",
            ["UNRELATED"] = "x",
        };
        var builder = Builder([], environment);
        Assert.Equal(9002, builder.Options.Port);
        Assert.Equal(55, builder.Options.MaxConnections);
        Assert.Equal(12, builder.Limits.MaxRequestHeaderCount);
        Assert.Equal(TimeSpan.FromSeconds(2), builder.Options.ShutdownTimeout);
    }

    [Fact]
    public void Appsettings_json_in_the_content_root_is_read_and_overridden_by_environment_then_command_line()
    {
        File.WriteAllText(Path.Combine(_contentRoot, "appsettings.json"), """
            { "Netloop": { "Port": 9100, "Loops": 2, "MaxConnections": 10, "Limits": { "MaxRequestLineSize": 2048 } }, "Greeting": "hi" }
            """);
        var builder = Builder(["--port", "9300"], new Hashtable { ["NETLOOP_PORT"] = "9200", ["NETLOOP_LOOPS"] = "4" });
        Assert.Equal(9300, builder.Options.Port);
        Assert.Equal(4, builder.Options.Loops);
        Assert.Equal(10, builder.Options.MaxConnections);
        Assert.Equal(2048, builder.Limits.MaxRequestLineSize);
        Assert.Equal("hi", builder.Configuration["Greeting"]);
    }

    [Fact]
    public void ContentRoot_switch_chooses_where_appsettings_json_is_read()
    {
        string other = Directory.CreateTempSubdirectory("netloop-root-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(other, "appsettings.json"), """{ "Netloop": { "Port": 9400 } }""");
            var builder = Builder(["--contentRoot", other]);
            Assert.Equal(9400, builder.Options.Port);
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public void Code_changes_after_the_builder_win_over_configuration()
    {
        var builder = Builder(["--port", "9001"]);
        builder.Options.Port = 0;
        Assert.Equal(0, builder.Options.Port);
    }

    [Theory]
    [InlineData("--port", "70000", "configuration 'Netloop:Port' must be 0-65535, got 70000")]
    [InlineData("--port", "-1", "configuration 'Netloop:Port' must be 0-65535, got -1")]
    [InlineData("--port", "eighty", "configuration 'Netloop:Port' must be 0-65535, got eighty")]
    [InlineData("--loops", "0", "configuration 'Netloop:Loops' must be 1-1024, got 0")]
    [InlineData("--max-connections", "0", "configuration 'Netloop:MaxConnections' must be a whole number of at least 1, got 0")]
    [InlineData("--address", "localhost", "configuration 'Netloop:Address' must be an IPv4 or IPv6 address (127.0.0.1, 0.0.0.0, ::1, ::), got localhost")]
    [InlineData("--mode", "threads", "configuration 'Netloop:Mode' must be epoll or poll, got threads")]
    [InlineData("--reuse-port", "yes", "configuration 'Netloop:ReusePort' must be true or false, got yes")]
    [InlineData("--idle-timeout", "30", "configuration 'Netloop:IdleTimeout' must be a duration hh:mm:ss of at least 00:00:00, got 30")]
    [InlineData("--handler-threads", "-2", "configuration 'Netloop:HandlerThreads' must be 0-1024, got -2")]
    [InlineData("--drain-grace", "-00:00:01", "configuration 'Netloop:ShutdownDrainGrace' must be a duration hh:mm:ss of at least 00:00:00, got -00:00:01")]
    [InlineData("--Netloop:Limits:RequestHeadersTimeout", "00:00:00", "configuration 'Netloop:Limits:RequestHeadersTimeout' must be a duration hh:mm:ss greater than 00:00:00, got 00:00:00")]
    [InlineData("--rate-limit", "fast", "configuration 'Netloop:PerIpLimits:RequestsPerSecond' must be requests per second or minute such as 100/s or 600/m (0: no limit), got fast")]
    [InlineData("--ipv6-prefix", "129", "configuration 'Netloop:PerIpLimits:Ipv6PrefixLength' must be 0-128, got 129")]
    [InlineData("--max-tracked-addresses", "0", "configuration 'Netloop:PerIpLimits:MaxTrackedAddresses' must be a whole number of at least 1, got 0")]
    [InlineData("--Netloop:Limits:MaxRequestBodySize", "-5", "configuration 'Netloop:Limits:MaxRequestBodySize' must be a whole number of bytes of at least 0, or 'unlimited', got -5")]
    public void A_bad_value_fails_Start_with_one_line_naming_the_key_and_the_range(string option, string value, string expected)
    {
        var app = Builder([option, value]).Build();
        var error = Assert.Throws<NetloopConfigurationException>(app.Start);
        Assert.Equal(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Null(app.Server);
    }

    [Fact]
    public void The_drain_grace_defaults_to_1_s_and_binds_from_its_switch_and_key()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), Builder([]).Options.ShutdownDrainGrace);
        Assert.Equal(TimeSpan.FromSeconds(3), Builder(["--drain-grace", "00:00:03"]).Options.ShutdownDrainGrace);
        Assert.Equal(TimeSpan.Zero, Builder(["--Netloop:ShutdownDrainGrace", "00:00:00"]).Options.ShutdownDrainGrace);
        Assert.Throws<ArgumentException>(() => new Netloop.Server.ServerOptions { ShutdownDrainGrace = TimeSpan.FromSeconds(-1) }.Validate());
    }

    [Fact]
    public void A_bad_environment_value_names_the_key_too()
    {
        var app = Builder([], new Hashtable { ["NETLOOP_PORT"] = "70000" }).Build();
        var error = Assert.Throws<NetloopConfigurationException>(app.Start);
        Assert.Equal("configuration 'Netloop:Port' must be 0-65535, got 70000", error.Message);
    }

    [Fact]
    public void Unlimited_body_size_is_spelled_out()
    {
        var builder = Builder(["--Netloop:Limits:MaxRequestBodySize", "unlimited"]);
        Assert.Null(builder.Limits.MaxRequestBodySize);
    }

    [Fact]
    public void A_malformed_appsettings_json_fails_Start_with_one_line_naming_the_file()
    {
        File.WriteAllText(Path.Combine(_contentRoot, "appsettings.json"), "{ \"Netloop\": { \"Port\": ");
        var builder = Builder(["--port", "9001"]);
        Assert.Equal(9001, builder.Options.Port);
        var server = builder.BuildServer(global::Netloop.Protocols.Echo.EchoProtocol.Instance);
        var error = Assert.Throws<NetloopConfigurationException>(server.Start);
        Assert.StartsWith($"configuration file '{Path.Combine(_contentRoot, "appsettings.json")}' cannot be read: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Environment_variable_names_map_to_keys()
    {
        Assert.Equal("Netloop:PORT", NetloopEnvironmentVariables.KeyFor("NETLOOP_PORT"));
        Assert.Equal("Netloop:LIMITS:MAXREQUESTBODYSIZE", NetloopEnvironmentVariables.KeyFor("NETLOOP_LIMITS__MAX_REQUEST_BODY_SIZE"));
        Assert.Null(NetloopEnvironmentVariables.KeyFor("NETLOOP_"));
        Assert.Null(NetloopEnvironmentVariables.KeyFor("PORT"));
    }

    [Fact]
    public void Configuration_sources_added_later_are_readable_by_the_app()
    {
        var builder = Builder([]);
        builder.Configuration.AddInMemoryCollection([new("Greeting", "hello")]);
        Assert.Equal("hello", builder.Configuration["Greeting"]);
    }
}
