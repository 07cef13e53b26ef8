using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Netloop.Hosting;

/// <summary>
/// <c>NETLOOP_*</c> environment variables as keys of the <c>Netloop</c> section, spelled as shells spell variables:
/// <c>NETLOOP_PORT</c> is <c>Netloop:Port</c>, <c>NETLOOP_MAX_CONNECTIONS</c> is <c>Netloop:MaxConnections</c> (single
/// underscores fall away; keys compare ignoring case), and a double underscore separates sections as everywhere in .NET
/// configuration: <c>NETLOOP_LIMITS__MAX_REQUEST_BODY_SIZE</c> is <c>Netloop:Limits:MaxRequestBodySize</c>.
/// </summary>
internal sealed class NetloopEnvironmentVariables(IDictionary variables) : IConfigurationSource
{
    public const string Prefix = "NETLOOP_";

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(variables);

    /// <summary>The configuration key for <paramref name="variable"/>, or null when it is not a <c>NETLOOP_</c> one.</summary>
    public static string? KeyFor(string variable)
    {
        if (!variable.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || variable.Length == Prefix.Length) return null;
        var segments = variable[Prefix.Length..].Split("__");
        for (int i = 0; i < segments.Length; i++) segments[i] = segments[i].Replace("_", "", StringComparison.Ordinal);
        return NetloopSettings.SectionName + ConfigurationPath.KeyDelimiter + string.Join(ConfigurationPath.KeyDelimiter, segments);
    }

    private sealed class Provider(IDictionary variables) : ConfigurationProvider
    {
        public override void Load()
        {
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in variables)
            {
                if (entry.Key is string name && KeyFor(name) is { } key) data[key] = entry.Value as string;
            }
            Data = data;
        }
    }
}
