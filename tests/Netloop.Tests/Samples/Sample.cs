using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Samples;

/// <summary>
/// Finds a sample's built dll under <c>samples/NAME/bin/CONFIGURATION/net10.0/</c> (the tests reference the samples
/// only to have them built: their files stay out of the test folder) and starts it as its own process.
/// </summary>
internal static class Sample
{
    public static string DllPath(string name)
    {
        // The tests run from tests/Netloop.Tests/bin/CONFIGURATION/TFM/: the sample is built in the same configuration.
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = testBin.Name;
        string configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Netloop.sln"))) root = root.Parent;
        Assert.True(root is not null, $"no Netloop.sln above {AppContext.BaseDirectory}");
        string dll = Path.Combine(root.FullName, "samples", name, "bin", configuration, framework, name + ".dll");
        Assert.True(File.Exists(dll), $"sample {name} is not built: {dll} (dotnet build Netloop.sln -c {configuration})");
        return dll;
    }

    public static CliProcess Start(ITestOutputHelper output, string name, params string[] args) =>
        CliProcess.StartAssembly(output, DllPath(name), args);
}
