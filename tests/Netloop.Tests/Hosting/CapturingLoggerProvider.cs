using Microsoft.Extensions.Logging;
using Netloop.Tests.Support;

namespace Netloop.Tests.Hosting;

/// <summary>Plugs a <see cref="CapturingLoggerFactory"/> into an <see cref="ILoggingBuilder"/>, the way a user adds a provider.</summary>
internal sealed class CapturingLoggerProvider(CapturingLoggerFactory logs) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => logs.CreateLogger(categoryName);

    public void Dispose()
    {
    }

    /// <summary>Waits for an entry whose message matches <paramref name="pattern"/>; fails after <paramref name="timeout"/>.</summary>
    public static async Task<System.Text.RegularExpressions.Match> WaitForAsync(CapturingLoggerFactory logs, System.Text.RegularExpressions.Regex pattern, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var entry in logs.Entries)
            {
                var match = pattern.Match(entry.Message);
                if (match.Success) return match;
            }
            if (DateTime.UtcNow > deadline) Assert.Fail($"no log entry matching /{pattern}/ within {timeout}: {string.Join("; ", logs.Entries)}");
            await Task.Delay(20);
        }
    }
}
