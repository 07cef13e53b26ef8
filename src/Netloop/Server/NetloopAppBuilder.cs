using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netloop.Protocols.Http1;

namespace Netloop.Server;

/// <summary>Configures an HTTP application before <see cref="Build"/>: server options, request limits, JSON metadata, logging.</summary>
public sealed class NetloopAppBuilder
{
    internal NetloopAppBuilder(string[] args)
    {
        Options = new ServerOptions { Port = 8080 };
        ApplyArguments(args);
    }

    /// <summary>Server settings (poller, address, port, loops, limits). Port 8080 unless <c>--port</c> says otherwise.</summary>
    public ServerOptions Options { get; }

    /// <summary>HTTP request limits and timeouts (Kestrel's defaults).</summary>
    public HttpLimits Limits { get; } = new();

    /// <summary>JSON options for <see cref="Http.HttpResponse.WriteJson{T}(T)"/>: add source-generated contexts to <see cref="JsonSerializerOptions.TypeInfoResolverChain"/>.</summary>
    public JsonSerializerOptions Json { get; } = new() { TypeInfoResolver = JsonTypeInfoResolver.Combine() };

    /// <summary>
    /// Threads for handlers that block (0, the default: none, handlers run on the event loops). With N &gt; 0 every handler
    /// runs on one of N worker threads, with its request body read in full first and its response buffered in full, so a
    /// blocking handler stalls no other connection. Also <c>--handler-threads N</c>.
    /// </summary>
    public int HandlerThreads { get; set; }

    /// <summary>Replaces the reactor (tests run the app on the baselines' engines); null: the reactor.</summary>
    internal IServerEngineFactory? Engine { get; set; }

    /// <summary>Where the server logs; nothing is logged unless set.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Creates the application.</summary>
    public NetloopApp Build() => new(this);

    /// <summary>
    /// Reads <c>--port</c>, <c>--address</c>, <c>--mode</c>, <c>--loops</c> and <c>--handler-threads</c> (as <c>--port 8080</c> or <c>--port=8080</c>);
    /// other arguments are the application's own and are left alone. A bad value throws <see cref="ArgumentException"/>.
    /// </summary>
    private void ApplyArguments(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) continue;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            string name = eq < 0 ? arg[2..] : arg[2..eq];
            string? value = eq >= 0 ? arg[(eq + 1)..] : i + 1 < args.Length ? args[i + 1] : null;
            bool known = true;
            switch (name)
            {
                case "port":
                    Options.Port = ParseInt(name, value);
                    break;
                case "loops":
                    Options.Loops = ParseInt(name, value);
                    break;
                case "handler-threads":
                    HandlerThreads = ParseInt(name, value);
                    break;
                case "address":
                    Options.Address = IPAddress.TryParse(value, out var address) ? address : throw new ArgumentException($"--address: '{value}' is not an IP address");
                    break;
                case "mode":
                    Options.Poller = PollerNames.TryParse(value, out var poller)
                        ? poller
                        : throw new ArgumentException($"--mode: unknown mode '{value}' (expected {PollerNames.List})");
                    break;
                default:
                    known = false;
                    break;
            }
            if (known && eq < 0) i++;
        }
    }

    private static int ParseInt(string name, string? value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n)
            ? n
            : throw new ArgumentException($"--{name}: '{value}' is not a whole number");
}
