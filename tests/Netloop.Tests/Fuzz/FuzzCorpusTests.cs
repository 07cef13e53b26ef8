using Netloop.Bench;
using Netloop.Fuzz;

namespace Netloop.Tests.Fuzz;

/// <summary>
/// Replays every committed fuzz input — the seed corpus (tests/fuzz/corpus/TARGET/) and every input that once crashed
/// a target (tests/fuzz/regressions/TARGET/) — through the same target code AFL runs (tests/fuzz/Netloop.Fuzz/Targets),
/// uninstrumented. A target throws only on a real bug, so each file passes by returning; a crash fixed once stays a test.
/// </summary>
public class FuzzCorpusTests
{
    private static string FuzzFolder =>
        Path.Combine(RepositoryRoot.Find(AppContext.BaseDirectory) ?? throw new InvalidOperationException("no clone of the repository above the tests"), "tests", "fuzz");

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (string kind in (ReadOnlySpan<string>)["corpus", "regressions"])
        {
            string root = Path.Combine(FuzzFolder, kind);
            if (!Directory.Exists(root)) continue;
            foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                string relative = Path.GetRelativePath(FuzzFolder, file);
                if (Path.GetFileName(file).StartsWith('.') || file.EndsWith(".md", StringComparison.Ordinal)) continue;
                data.Add(relative.Split(Path.DirectorySeparatorChar)[1], relative);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_runs_through_its_target_without_a_bug(string target, string file)
    {
        FuzzTarget? fuzzTarget = FuzzTargets.Find(target);
        Assert.True(fuzzTarget is not null, $"{file}: no fuzz target named '{target}'");
        byte[] input = File.ReadAllBytes(Path.Combine(FuzzFolder, file));

        Exception? escaped = Record.Exception(() => fuzzTarget.Run(input));

        Assert.True(escaped is null, $"{file}: {escaped}");
    }

    [Fact]
    public void Every_target_has_a_seed_corpus_and_every_corpus_a_target()
    {
        string corpus = Path.Combine(FuzzFolder, "corpus");
        var folders = Directory.EnumerateDirectories(corpus).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();
        var targets = FuzzTargets.All.Select(t => t.Name).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(targets, folders);
        Assert.All(folders, f => Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(corpus, f))));
    }
}
