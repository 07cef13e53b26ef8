using Netloop.Transport;
using System.Collections;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Netloop.Hosting;
using Netloop.Protocols;
using Netloop.Protocols.Http1;

namespace Netloop.Server;

/// <summary>
/// Configures an application before <see cref="Build"/>, in the manner of ASP.NET Core's <c>WebApplicationBuilder</c>:
/// <see cref="Configuration"/> (appsettings.json, environment, command line), <see cref="Services"/> (DI),
/// <see cref="Logging"/> (console by default), and the server options read from the configuration's <c>Netloop</c>
/// section. The keys, their command-line switches and their <c>NETLOOP_</c> variables are listed in <c>docs/hosting.md</c>.
/// </summary>
public sealed class NetloopAppBuilder
{
    private readonly NetloopOptions _options = new();
    private readonly string? _configurationError;
    private bool _built;

    internal NetloopAppBuilder(string[] args)
        : this(args, Directory.GetCurrentDirectory(), Environment.GetEnvironmentVariables())
    {
    }

    /// <summary>The builder over an explicit content root and environment (tests pass their own).</summary>
    internal NetloopAppBuilder(string[] args, string contentRoot, IDictionary environment)
    {
        Configuration = NetloopConfiguration.Create(args, contentRoot, environment, out string? loadError);
        Services = new ServiceCollection();
        Services.AddSingleton<IConfiguration>(Configuration);
        Services.AddLogging(logging =>
        {
            logging.AddConfiguration(Configuration.GetSection("Logging"));
            // One line per entry: "info: Netloop.Server[1] listening on http://127.0.0.1:8080" reads (and greps) as one fact.
            logging.AddSimpleConsole(console => console.SingleLine = true);
        });
        Logging = new NetloopLoggingBuilder(Services);
        // A bad value is kept until Start (fails there as one line), so Build and the route mapping after it still run.
        string? bindError = NetloopSettings.Bind(Configuration.GetSection(NetloopSettings.SectionName), _options);
        _configurationError = loadError ?? bindError;
    }

    /// <summary>
    /// The configuration: <c>appsettings.json</c> in the content root (the current directory, or <c>--contentRoot</c>;
    /// optional), environment variables, <c>NETLOOP_*</c> variables, then the command line, each overriding the ones
    /// before. Add sources of your own here; the server options were read from it when the builder was created.
    /// </summary>
    public ConfigurationManager Configuration { get; }

    /// <summary>Services for DI; built at <see cref="Build"/> and offered to handlers as <see cref="Http.HttpContext.RequestServices"/>.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Logging: the console provider (one line per entry) and the <c>Logging</c> configuration section by default; add or clear providers here.</summary>
    public ILoggingBuilder Logging { get; }

    /// <summary>
    /// Server settings (poller, address, port, loops, limits), as read from the <c>Netloop</c> configuration section;
    /// port 8080 when none is configured. Changes made here win over configuration.
    /// </summary>
    public ServerOptions Options => _options.Server;

    /// <summary>HTTP request limits and timeouts (Kestrel's defaults unless <c>Netloop:Limits:*</c> says otherwise).</summary>
    public HttpLimits Limits => _options.Limits;

    /// <summary>JSON options for <see cref="Http.HttpResponse.WriteJson{T}(T)"/>: add source-generated contexts to <see cref="JsonSerializerOptions.TypeInfoResolverChain"/>.</summary>
    public JsonSerializerOptions Json => _options.Json;

    /// <summary>
    /// Threads for handlers that block (0, the default: none, handlers run on the event loops). With N &gt; 0 every handler
    /// runs on one of N worker threads, with its request body read in full first and its response buffered in full, so a
    /// blocking handler stalls no other connection. Also <c>--handler-threads N</c>.
    /// </summary>
    public int HandlerThreads
    {
        get => _options.HandlerThreads;
        set => _options.HandlerThreads = value;
    }

    /// <summary>Replaces the reactor (tests run the app on the baselines' engines); null: the reactor.</summary>
    internal IServerEngineFactory? Engine { get; set; }

    /// <summary>Where the server logs, in place of the factory built from <see cref="Logging"/>; null (the default) uses <see cref="Logging"/>.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Builds the services and creates the HTTP application. Once only.</summary>
    public NetloopApp Build()
    {
        var services = BuildServices();
        return new NetloopApp(_options, LoggerFactory ?? services.GetRequiredService<ILoggerFactory>(), services, services, _configurationError) { Engine = Engine };
    }

    /// <summary>
    /// Builds the services and creates a server for a protocol of your own (<see cref="IConnectionProtocolFactory"/>, as
    /// <c>samples/KeyValue</c> does) with the configured <see cref="Options"/> and logging. Its
    /// <see cref="NetloopServer.RunAsync"/> logs <c>listening on tcp://…</c> and stops on SIGINT/SIGTERM. Once only.
    /// </summary>
    public NetloopServer BuildServer(IConnectionProtocolFactory protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        var services = BuildServices();
        return new NetloopServer(_options.Server, protocol, LoggerFactory ?? services.GetRequiredService<ILoggerFactory>())
        {
            StartError = _configurationError,
            OwnedServices = services,
        };
    }

    private ServiceProvider BuildServices()
    {
        if (_built) throw new InvalidOperationException("the builder was built already");
        _built = true;
        return Services.BuildServiceProvider();
    }
}
