using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Netloop.Hosting;

/// <summary>The builder's <see cref="ILoggingBuilder"/>: logging is configured on the same services as the app's.</summary>
internal sealed class NetloopLoggingBuilder(IServiceCollection services) : ILoggingBuilder
{
    public IServiceCollection Services { get; } = services;
}
