using Microsoft.Extensions.Logging;
using Netloop.Server;
using Netloop.Transport;

namespace Netloop.Baselines;

/// <summary>Servers and apps in any <see cref="ServerMode"/>: the reactor modes as the product runs them, the others through <see cref="ModeEngineFactory"/>.</summary>
public static class ModeServer
{
    /// <summary>
    /// Prepares <paramref name="options"/> for <paramref name="mode"/> and returns the engine to plug in: null for the
    /// reactor modes (their <see cref="Poller"/> is set in the options), a <see cref="ModeEngineFactory"/> otherwise.
    /// </summary>
    internal static IServerEngineFactory? Configure(this ServerMode mode, ServerOptions options, BaselineOptions? baselines = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (mode)
        {
            case ServerMode.Epoll:
                options.Poller = Poller.Epoll;
                return null;
            case ServerMode.Poll:
                options.Poller = Poller.Poll;
                return null;
            default:
                // The per-IP table lives in the reactor's transport; a baseline would silently serve without it.
                if (options.PerIpLimits is { IsEnabled: true })
                    throw new ArgumentException($"per-IP limits (--max-connections-per-ip, --rate-limit) run on the reactor: --mode epoll or poll, not {mode.Name()}");
                return new ModeEngineFactory(mode, baselines);
        }
    }

    /// <summary>
    /// A server for <paramref name="protocol"/> in <paramref name="mode"/>, serving <paramref name="serveLimit"/>
    /// connections before <c>LimitReached</c> completes (0: no limit). Throws <see cref="ArgumentException"/> for a bad
    /// setting or a protocol the mode cannot serve.
    /// </summary>
    public static NetloopServer Create(
        ServerMode mode, ServerOptions options, IConnectionProtocolFactory protocol, ILoggerFactory? loggers = null, BaselineOptions? baselines = null, int serveLimit = 0) =>
        new(options, Tls.SslStreamEngineSwitch.Apply(protocol, loggers), loggers, mode.Configure(options, baselines), serveLimit);

    /// <summary>Makes <paramref name="builder"/>'s app run in <paramref name="mode"/>.</summary>
    public static NetloopAppBuilder UseMode(this NetloopAppBuilder builder, ServerMode mode)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Engine = mode.Configure(builder.Options);
        return builder;
    }
}
