using Netloop.Bench.Cases;
using Netloop.Bench.Running;
using Netloop.Bench.Servers;

namespace Netloop.Tests.Bench.Servers;

/// <summary>
/// The C reference servers (<c>c</c>): where their sources are found, the commands that start them, and why they
/// cannot run when gcc or the sources are missing. Builds run gcc for real, on sources in a temp folder.
/// </summary>
public sealed class ReferenceServerTests : IDisposable
{
    private static readonly ServerSpec s_reference = ServerCatalog.All.Single(s => s.Name == ServerCatalog.Reference);

    private readonly string _folder = Directory.CreateTempSubdirectory("netloop-reference-test-").FullName;

    /// <summary>Deletes the temp folder.</summary>
    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Scratch => Directory.CreateDirectory(Path.Combine(_folder, "scratch")).FullName;

    private string Sources => Directory.CreateDirectory(Path.Combine(_folder, "sources")).FullName;

    // A launcher looking for the sources in referenceFolder, with this machine's gcc or, when withGcc is false, none.
    private ServerLauncher Launcher(string? referenceFolder, string? repositoryRoot = "/repo", bool withGcc = true) =>
        new(new NetloopExecutable(new ProcessCommand("netloop", [])), repositoryRoot, Scratch, Path.Combine(_folder, "logs"))
        {
            ReferenceFolder = referenceFolder,
            GccPath = withGcc ? CpuPinning.FindOnPath("gcc") : null,
        };

    [Fact]
    public void Http_cases_start_cepoll_and_echo_cases_cecho_from_the_scratch_folder_on_loopback()
    {
        var launcher = Launcher(Sources);

        Assert.Equal($"{Scratch}/cepoll 8083 127.0.0.1", launcher.Command(s_reference, LoadProtocol.Http, 8083, 10_256, TimeSpan.FromMinutes(1)).ToString());
        Assert.Equal($"{Scratch}/cecho 7007 127.0.0.1", launcher.Command(s_reference, LoadProtocol.Echo, 7007, 1024, TimeSpan.FromMinutes(1)).ToString());
        Assert.Equal("/usr/bin/taskset -c 0 " + $"{Scratch}/cepoll 8083 127.0.0.1",
            new CpuPinning("/usr/bin/taskset", 0, 1).Server(launcher.Command(s_reference, LoadProtocol.Http, 8083, 1024, TimeSpan.FromMinutes(1))).ToString());
    }

    [Fact]
    public void Sources_are_beside_the_clone_unless_the_variable_names_a_folder()
    {
        Assert.Equal("/work/shared/reference", ReferenceServers.FolderFor("/work/main", null));
        Assert.Equal("/work/shared/reference", ReferenceServers.FolderFor("/work/main/", " "));
        Assert.Equal("/opt/ref", ReferenceServers.FolderFor("/work/main", "/opt/ref"));
        Assert.Equal("/opt/ref", ReferenceServers.FolderFor(null, "/opt/ref"));
        Assert.Null(ReferenceServers.FolderFor(null, null));
        Assert.Equal(
            $"/usr/bin/gcc -O2 -Wall -o {Scratch}/cecho /src/cecho.c",
            ReferenceServers.Build("/usr/bin/gcc", "/src", ReferenceServers.EchoProgram, Scratch).ToString());
    }

    [Fact]
    public async Task Missing_sources_are_not_available_with_the_path_looked_at_and_the_variable()
    {
        var availability = await Launcher(Sources).PrepareAsync(s_reference, CancellationToken.None);

        Assert.False(availability.Available);
        Assert.Equal($"not available: {Sources}/cepoll.c not found (set NETLOOP_REFERENCE_DIR to the folder of cepoll.c and cecho.c)", availability.Status);

        File.WriteAllText(Path.Combine(Sources, "cepoll.c"), "int main(void) { return 0; }\n");
        var halfway = await Launcher(Sources).PrepareAsync(s_reference, CancellationToken.None);
        Assert.Contains($"{Sources}/cecho.c not found", halfway.Status, StringComparison.Ordinal);

        var outside = await Launcher(null, repositoryRoot: null).PrepareAsync(s_reference, CancellationToken.None);
        Assert.False(outside.Available);
        Assert.Contains("NETLOOP_REFERENCE_DIR", outside.Status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_gcc_the_reference_is_not_available_and_says_so()
    {
        WriteSources("int main(void) { return 0; }\n");

        var availability = await Launcher(Sources, withGcc: false).PrepareAsync(s_reference, CancellationToken.None);

        Assert.False(availability.Available);
        Assert.Equal("not available: gcc not installed (needed to build cepoll.c and cecho.c)", availability.Status);
    }

    [Fact]
    public async Task Sources_that_do_not_compile_are_reported_with_gcc_s_last_line_and_good_ones_build_into_the_scratch_folder()
    {
        var launcher = Launcher(Sources);
        if (launcher.GccPath is null) return; // No compiler here: the case above covers this machine.

        WriteSources("int main(void) { return not_declared; }\n");
        var broken = await launcher.PrepareAsync(s_reference, CancellationToken.None);
        Assert.False(broken.Available);
        Assert.StartsWith("cepoll.c did not build (exit code 1): ", broken.Status, StringComparison.Ordinal);
        // The compiler's first error, not its last line (a caret under the source); quotes follow the locale.
        Assert.Contains("error:", broken.Status, StringComparison.Ordinal);
        Assert.Contains("not_declared", broken.Status, StringComparison.Ordinal);
        Assert.EndsWith("(see logs/reference-build.log)", broken.Status, StringComparison.Ordinal);
        Assert.Contains("-O2 -Wall", File.ReadAllText(Path.Combine(_folder, "logs", "reference-build.log")), StringComparison.Ordinal);

        WriteSources("int main(void) { return 0; }\n");
        var built = await launcher.PrepareAsync(s_reference, CancellationToken.None);
        Assert.True(built.Available, built.Status);
        Assert.StartsWith("gcc ", built.Version, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Scratch, "cepoll")));
        Assert.True(File.Exists(Path.Combine(Scratch, "cecho")));
    }

    [Fact]
    public void The_reference_is_never_sent_sigusr2_which_would_end_it()
    {
        Assert.False(BenchRunner.ReportsStats(s_reference));
        Assert.False(BenchRunner.ReportsStats(ServerCatalog.All.Single(s => s.Name == ServerCatalog.Nginx)));
        Assert.True(BenchRunner.ReportsStats(ServerCatalog.All.Single(s => s.Name == ServerCatalog.Kestrel)));
        Assert.True(BenchRunner.ReportsStats(ServerCatalog.All.Single(s => s.Name == "epoll")));
    }

    private void WriteSources(string text)
    {
        foreach (string program in ReferenceServers.Programs) File.WriteAllText(Path.Combine(Sources, program + ".c"), text);
    }
}
