namespace Netloop.Http;

/// <summary>The services of an app built without DI (an <see cref="Protocols.Http1.HttpProtocolFactory"/> used on its own): none.</summary>
internal sealed class EmptyServiceProvider : IServiceProvider
{
    public static readonly EmptyServiceProvider Instance = new();

    public object? GetService(Type serviceType) => null;
}
