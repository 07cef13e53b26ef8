using Netloop.Bench.Cases;
using Netloop.Bench.Running;
using Netloop.Bench.Servers;

namespace Netloop.Tests.Bench;

/// <summary>The idle case's several netloop processes on one port must each pass --reuse-port; one process never does.</summary>
public sealed class SharedPortCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("netloop-shared-port-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ServerLauncher Launcher() => new(new NetloopExecutable(new ProcessCommand("netloop", [])), null, _folder, _folder);

    [Fact]
    public void A_netloop_server_that_shares_its_port_passes_reuse_port_and_one_alone_does_not()
    {
        var epoll = ServerCatalog.All.Single(s => s.Name == "epoll");
        var launcher = Launcher();

        var shared = launcher.Command(epoll, LoadProtocol.Http, 8080, 1024, TimeSpan.FromMinutes(1), sharePort: true).ToString();
        var alone = launcher.Command(epoll, LoadProtocol.Http, 8080, 1024, TimeSpan.FromMinutes(1)).ToString();

        Assert.EndsWith(" --reuse-port", shared, StringComparison.Ordinal);
        Assert.DoesNotContain("--reuse-port", alone, StringComparison.Ordinal);
        Assert.Equal(alone + " --reuse-port", shared);
    }

    [Fact]
    public void A_server_that_cannot_share_a_port_is_refused_rather_than_started_unshared()
    {
        var nginx = ServerCatalog.All.Single(s => s.Name == "nginx");
        Assert.Throws<ArgumentException>(() => Launcher().Command(nginx, LoadProtocol.Http, 8080, 1024, TimeSpan.FromMinutes(1), sharePort: true));
    }
}
