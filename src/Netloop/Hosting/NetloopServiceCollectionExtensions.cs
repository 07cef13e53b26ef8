using Microsoft.Extensions.Hosting;
using Netloop.Hosting;
using Netloop.Server;

// In the namespace of IServiceCollection, as every AddXxx extension: `builder.Services.AddNetloop(…)` needs no using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs Netloop inside the .NET Generic Host (<c>Host.CreateApplicationBuilder(args)</c>).</summary>
public static class NetloopServiceCollectionExtensions
{
    /// <summary>
    /// Adds an HTTP app served by Netloop as a hosted service that starts and stops with the host. Its settings come
    /// from the host's configuration section <c>Netloop</c> (<c>--Netloop:Port 8080</c>, <c>Netloop__Port=8080</c>, or
    /// <c>"Netloop": { "Port": 8080 }</c> in appsettings.json; port 8080 when none), then from
    /// <paramref name="configure"/>; <paramref name="map"/> maps the routes once the host's services are built.
    /// The <see cref="NetloopHostedService"/> is also registered as itself, to read the bound address.
    /// </summary>
    public static IServiceCollection AddNetloop(this IServiceCollection services, Action<NetloopApp> map, Action<NetloopOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(map);
        services.AddSingleton(provider => new NetloopHostedService(provider, map, configure));
        services.AddHostedService(provider => provider.GetRequiredService<NetloopHostedService>());
        return services;
    }
}
