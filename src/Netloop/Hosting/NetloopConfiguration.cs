using System.Collections;
using System.IO;
using Microsoft.Extensions.Configuration;

namespace Netloop.Hosting;

/// <summary>
/// The configuration a <see cref="Server.NetloopAppBuilder"/> starts with, lowest precedence first: <c>appsettings.json</c>
/// in the content root (optional), every environment variable (<c>Netloop__Port</c>, as the Generic Host reads them),
/// the <c>NETLOOP_*</c> variables (<c>NETLOOP_PORT</c>), then the command line (<c>--port 8080</c>,
/// <c>--Netloop:Port=8080</c>).
/// </summary>
internal static class NetloopConfiguration
{
    /// <summary>The optional JSON file read from the content root.</summary>
    public const string SettingsFile = "appsettings.json";

    /// <summary>
    /// Builds the configuration. The content root is <c>--contentRoot</c> from the command line (as in ASP.NET Core),
    /// else <paramref name="defaultContentRoot"/>. A file that exists but cannot be read becomes <paramref name="error"/>
    /// (reported when the app starts) rather than an exception here.
    /// </summary>
    public static ConfigurationManager Create(string[] args, string defaultContentRoot, IDictionary environment, out string? error)
    {
        error = null;
        var configuration = new ConfigurationManager();
        // The command line is read once first, only to learn the content root; it is added again last to win over the rest.
        string contentRoot = new ConfigurationBuilder().AddCommandLine(args).Build()["contentRoot"] ?? defaultContentRoot;
        contentRoot = Path.GetFullPath(contentRoot);
        configuration.AddInMemoryCollection([new("contentRoot", contentRoot)]);
        string file = Path.Combine(contentRoot, SettingsFile);
        try
        {
            configuration.AddJsonFile(file, optional: true, reloadOnChange: false);
        }
        catch (InvalidDataException e)
        {
            error = $"configuration file '{file}' cannot be read: {OneLine(e.InnerException?.Message ?? e.Message)}";
            // The source stays listed although it failed to load; left there, any later reload would throw again.
            configuration.Sources.RemoveAt(configuration.Sources.Count - 1);
        }
        configuration.AddEnvironmentVariables();
        configuration.Sources.Add(new NetloopEnvironmentVariables(environment));
        configuration.AddCommandLine(args, NetloopSettings.Switches.ToDictionary(StringComparer.OrdinalIgnoreCase));
        return configuration;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
