using System.CommandLine;
using Netloop.Bench;
using Netloop.Bench.Running;
using Netloop.Bench.Tls;
using Netloop.Cli.Parsing;

namespace Netloop.Cli.Commands;

/// <summary>
/// <c>netloop bench tls-design</c> (experimental, for issue P8): TLS candidate (A) SslStream, (B) the transport's
/// OpenSSL engine (<c>--with-openssl</c>, once <c>serve --tls-cert</c> exists) and plaintext, measured in the same run,
/// interleaved: handshakes/s with server CPU per handshake, bulk echo MB/s, bytes per idle connection. Run it under
/// <c>taskset -c 1</c> so its own clients stay off the server's core.
/// </summary>
internal sealed class TlsDesignCommand : Command
{
    private readonly Option<int?> _rounds = new("--rounds") { Description = "Interleaved rounds; medians are reported. Default: 3.", CustomParser = IntegerParser.InRange(1, 100) };
    private readonly Option<int?> _idle = new("--idle") { Description = "Idle TLS connections for the bytes-per-connection figure. Default: 5000.", CustomParser = IntegerParser.InRange(100, 18_000) };
    private readonly Option<TimeSpan?> _duration = new("--duration") { Description = "Length of the handshake and bulk runs. Default: 5s.", CustomParser = DurationParser.Parse };
    private readonly Option<bool> _withOpenSsl = new("--with-openssl") { Description = "Also measure (B), serve --tls-cert/--tls-key." };
    private readonly Option<string?> _output = new("--output") { Description = "Folder for tls-design.md and logs/. Default: bench/results/tls-design-<UTC timestamp>." };

    public TlsDesignCommand()
        : base("tls-design", "Experimental (P8): measure the TLS engine candidates against each other and plaintext.")
    {
        Hidden = true;
        Add(_rounds);
        Add(_idle);
        Add(_duration);
        Add(_withOpenSsl);
        Add(_output);
        SetAction(async (parseResult, cancellationToken) =>
        {
            string? repository = RepositoryRoot.Find(Environment.CurrentDirectory, AppContext.BaseDirectory);
            string defaultOutput = RepositoryRoot.DefaultOutput(repository, DateTimeOffset.UtcNow);
            defaultOutput = Path.Combine(Path.GetDirectoryName(defaultOutput)!, "tls-design-" + Path.GetFileName(defaultOutput));
            var duration = parseResult.GetValue(_duration) ?? TimeSpan.FromSeconds(5);
            var options = new TlsDesignOptions
            {
                Netloop = NetloopExecutable.ForCurrentProcess(Path.Combine(AppContext.BaseDirectory, typeof(TlsDesignCommand).Assembly.GetName().Name + ".dll")).Command,
                OutputDirectory = Path.GetFullPath(parseResult.GetValue(_output) ?? defaultOutput),
                Rounds = parseResult.GetValue(_rounds) ?? 3,
                IdleConnections = parseResult.GetValue(_idle) ?? 5000,
                HandshakeDuration = duration,
                BulkDuration = duration,
            };
            string path = await TlsDesignBench.RunAsync(options, TlsDesignBench.Entrants(parseResult.GetValue(_withOpenSsl)), Console.Out, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"report: {path}").ConfigureAwait(false);
            return ExitCodes.Success;
        });
    }
}
