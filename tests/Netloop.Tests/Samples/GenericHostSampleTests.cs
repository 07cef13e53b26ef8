using System.Text.RegularExpressions;
using Netloop.Tests.Support;
using Xunit.Abstractions;

namespace Netloop.Tests.Samples;

/// <summary>samples/GenericHost run as a process: its handlers answer from a DI service, and SIGTERM stops the host cleanly.</summary>
public sealed partial class GenericHostSampleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task GET_answers_from_the_DI_service_and_SIGTERM_stops_with_exit_code_0()
    {
        await using var sample = Sample.Start(output, "GenericHost", "--Netloop:Port", "0", "--Netloop:Loops", "1");
        var match = await sample.WaitForLineAsync(ListeningOn(), s_patience);
        var baseAddress = new Uri($"http://{match.Groups["endpoint"].Value}/");

        using (var client = new HttpClient { BaseAddress = baseAddress })
        {
            Assert.Equal("Hello, world! You are greeting number 1.", await client.GetStringAsync(new Uri("/", UriKind.Relative)));
            Assert.Equal("Hello, ada! You are greeting number 2.", await client.GetStringAsync(new Uri("/hello/ada", UriKind.Relative)));
            Assert.Equal("2", await client.GetStringAsync(new Uri("/count", UriKind.Relative)));
        }

        sample.Signal(CliProcess.SIGTERM);
        Assert.True(await sample.WaitForExitAsync(s_patience), "the host did not exit after SIGTERM");
        Assert.Equal(0, sample.ExitCode);
        Assert.Contains("Application is shutting down", sample.StdOut, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"listening on http://(?<endpoint>127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
