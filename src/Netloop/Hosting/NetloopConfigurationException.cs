namespace Netloop.Hosting;

/// <summary>
/// A configuration value Netloop cannot use (<c>configuration 'Netloop:Port' must be 0-65535, got 70000</c>), or a
/// configuration file it cannot read. Thrown when the server starts; the message is one line fit for a user.
/// </summary>
public sealed class NetloopConfigurationException : NetloopException
{
    /// <summary>Creates the exception for <paramref name="key"/> (the full configuration path, or a file name).</summary>
    public NetloopConfigurationException(string key, string message)
        : base(message) => Key = key;

    /// <summary>The configuration key (<c>Netloop:Port</c>) or file at fault.</summary>
    public string Key { get; }
}
