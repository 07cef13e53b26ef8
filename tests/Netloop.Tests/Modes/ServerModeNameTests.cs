using Netloop.Hosting;
using Netloop.Baselines;
using Netloop.Server;

namespace Netloop.Tests.Modes;

/// <summary>One mode-name parser: the baselines' list knows every engine, the product's knows its pollers, and they agree.</summary>
public sealed class ServerModeNameTests
{
    [Fact]
    public void Every_mode_name_parses_back_to_its_mode_in_any_case()
    {
        foreach (var mode in ServerModes.All)
        {
            Assert.True(ServerModes.TryParse(mode.Name(), out var parsed));
            Assert.Equal(mode, parsed);
            Assert.True(ServerModes.TryParse(mode.Name().ToUpperInvariant(), out parsed));
            Assert.Equal(mode, parsed);
        }
        Assert.Equal(12, ServerModes.All.Count);
        Assert.Equal(ServerModes.All.Count, ServerModes.All.Select(m => m.Name()).Distinct().Count());
    }

    [Theory]
    [InlineData("AsyncWaiter2")] // the enum's name, not the name users type
    [InlineData("1")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_but_a_mode_name_is_refused(string? name) => Assert.False(ServerModes.TryParse(name, out _));

    [Fact]
    public void The_reactor_modes_are_the_products_pollers_under_the_same_names()
    {
        Assert.Equal(Poller.Epoll.Name(), ServerMode.Epoll.Name());
        Assert.Equal(Poller.Poll.Name(), ServerMode.Poll.Name());
        var options = new ServerOptions();
        ModeServer.Configure(ServerMode.Poll, options);
        Assert.Equal(Poller.Poll, options.Poller);
        Assert.IsType<ModeEngineFactory>(ModeServer.Configure(ServerMode.Threads, options));
        Assert.Equal([ServerMode.Epoll, ServerMode.Poll], ServerModes.All.Where(m => m.IsReactor()));
    }

    [Fact]
    public void The_builder_reads_only_the_products_pollers()
    {
        Assert.Equal(Poller.Poll, NetloopServer.CreateBuilder(["--mode", "POLL"]).Options.Poller);
        Assert.Equal(Poller.Epoll, NetloopServer.CreateBuilder(["--mode=epoll"]).Options.Poller);
        // A bad value fails the start (one line naming the key), not the builder: Build and the mapping after it still run.
        var e = Assert.Throws<NetloopConfigurationException>(NetloopServer.CreateBuilder(["--mode", "threads"]).Build().Start);
        Assert.Equal("configuration 'Netloop:Mode' must be epoll or poll, got threads", e.Message);
        Assert.Throws<NetloopConfigurationException>(NetloopServer.CreateBuilder(["--mode", "1"]).Build().Start);
    }

    [Fact]
    public void A_poller_outside_the_enum_fails_validation_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => new ServerOptions { Poller = (Poller)7 }.Validate());
        Assert.Equal("poller must be one of epoll, poll, got 7", e.Message);
    }

    [Fact]
    public void Baseline_knobs_out_of_range_are_refused_when_the_engine_is_made()
    {
        var e = Assert.Throws<ArgumentException>(() => new ModeEngineFactory(ServerMode.AsyncWorkers, new BaselineOptions { Workers = 0 }));
        Assert.Equal("workers must be at least 1, got 0", e.Message);
        Assert.Throws<ArgumentException>(() => new ModeEngineFactory(ServerMode.Epoll));
    }
}
