using System.Globalization;
using Netloop.Load.Results;
using Netloop.Load.Runner;
using Spectre.Console;

namespace Netloop.Cli.Commands;

/// <summary>What <c>netloop load</c> shows: the live progress line on stderr and the summary tables on stdout.</summary>
internal sealed partial class LoadCommand
{
    private static string Number(double value, int decimals = 0) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Bytes(double bytes) => bytes switch
    {
        >= 1e9 => FormattableString.Invariant($"{bytes / 1e9:0.00} GB"),
        >= 1e6 => FormattableString.Invariant($"{bytes / 1e6:0.00} MB"),
        >= 1e3 => FormattableString.Invariant($"{bytes / 1e3:0.0} kB"),
        _ => FormattableString.Invariant($"{bytes:0} B"),
    };

    private static string Latency(double microseconds) => microseconds switch
    {
        >= 1_000_000 => FormattableString.Invariant($"{microseconds / 1_000_000:0.00} s"),
        >= 1_000 => FormattableString.Invariant($"{microseconds / 1_000:0.00} ms"),
        _ => FormattableString.Invariant($"{microseconds:0} µs"),
    };

    private static string Seconds(TimeSpan time) => FormattableString.Invariant($"{time.TotalSeconds:0.0}s");

    /// <summary>The once-a-second line: redrawn in place on a terminal, one plain line each time otherwise (stderr either way).</summary>
    private sealed class ProgressLine(TextWriter writer, bool terminal) : IDisposable
    {
        private readonly Lock _gate = new();
        private bool _drawn;

        public void Show(LoadProgress progress)
        {
            string length = progress.Duration is TimeSpan duration ? "/" + Seconds(duration) : "";
            string line = FormattableString.Invariant(
                $"{Seconds(progress.Elapsed)}{length}  {Number(progress.RequestsPerSecond)} req/s  requests {Number(progress.Requests)}  errors {Number(progress.Errors)}  open {Number(progress.OpenConnections)}");
            if (progress.Server is { } server)
            {
                line += FormattableString.Invariant($"  server RSS {Bytes(server.RssBytes)} CPU {server.CpuPercent:0}%");
            }
            lock (_gate)
            {
                if (terminal)
                {
                    // \r and erase-to-end-of-line: the line is redrawn where it was, never scrolled.
                    writer.Write("\r" + line + "\u001b[K");
                    _drawn = true;
                }
                else
                {
                    writer.WriteLine(line);
                }
                writer.Flush();
            }
        }

        /// <summary>Removes the line from a terminal before anything else is printed.</summary>
        public void Clear()
        {
            lock (_gate)
            {
                if (!_drawn) return;
                writer.Write("\r\u001b[K");
                writer.Flush();
                _drawn = false;
            }
        }

        public void Dispose() => Clear();
    }

    private static void WriteSummary(LoadResult result)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        string shape = result.Idle
            ? "idle: one request per connection, then held"
            : result.Rate > 0 ? FormattableString.Invariant($"open loop at {Number(result.Rate)} req/s") : "closed loop";
        string churn = result.RequestsPerConnection > 0 ? $", {Number(result.RequestsPerConnection)} requests per connection" : "";
        string pipeline = result.Pipeline > 1 ? $", pipeline {result.Pipeline}" : "";
        string payload = result.Protocol == "echo" ? $", {Number(result.PayloadBytes)}-byte messages" : "";
        // Written directly: Spectre would wrap a long line at its assumed width when stdout is not a terminal.
        Console.Out.WriteLine(FormattableString.Invariant(
            $"netloop load {result.Target}: {Number(result.Connections)} connections, {result.Loops} loop{(result.Loops == 1 ? "" : "s")}{pipeline}{payload}{churn}, {shape}, {result.DurationSeconds:0.00} s"));

        var throughput = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn(new TableColumn("total").RightAligned()).AddColumn(new TableColumn("per second").RightAligned());
        throughput.AddRow("requests", Number(result.Requests), Number(result.RequestsPerSecond, 1));
        throughput.AddRow("received", Bytes(result.BytesReceived), Bytes(result.MegabytesPerSecond * 1e6));
        throughput.AddRow("sent", Bytes(result.BytesSent), result.DurationSeconds > 0 ? Bytes(result.BytesSent / result.DurationSeconds) : "-");
        throughput.AddRow("connections opened", Number(result.ConnectionsOpened), "");
        if (result.TlsHandshakes > 0)
        {
            throughput.AddRow("TLS handshakes", Number(result.TlsHandshakes), result.DurationSeconds > 0 ? Number(result.TlsHandshakes / result.DurationSeconds, 1) : "-");
            throughput.AddRow("  of which resumed", Number(result.TlsResumedHandshakes), "");
        }
        if (result.Idle || result.ConnectionsClosedByServer > 0)
        {
            throughput.AddRow("open at the end", Number(result.ConnectionsOpenAtEnd), "");
            throughput.AddRow("closed by the server", Number(result.ConnectionsClosedByServer), "");
        }
        console.Write(throughput);

        var l = result.Latency;
        var latency = new Table().Border(TableBorder.Rounded).Title(result.Rate > 0 ? "latency (from intended send times)" : "latency");
        foreach (string column in new[] { "mean", "p50", "p90", "p99", "p99.9", "max" }) latency.AddColumn(new TableColumn(column).RightAligned());
        latency.AddRow(Latency(l.MeanUs), Latency(l.P50Us), Latency(l.P90Us), Latency(l.P99Us), Latency(l.P999Us), Latency(l.MaxUs));
        console.Write(latency);

        var e = result.Errors;
        if (e.Total == 0)
        {
            Console.Out.WriteLine("errors: none");
        }
        else
        {
            var errors = new Table().Border(TableBorder.Rounded).Title("errors").AddColumn("kind").AddColumn(new TableColumn("count").RightAligned());
            foreach (var (kind, count) in new[]
            {
                ("connect refused", e.ConnectRefused), ("connect failed", e.ConnectFailed), ("reset", e.Reset), ("timeout", e.Timeout),
                ("bad status", e.BadStatus), ("short read", e.ShortRead), ("corrupt", e.Corrupt), ("tls handshake", e.TlsHandshake),
            })
            {
                if (count > 0) errors.AddRow(kind, Number(count));
            }
            errors.AddRow("total", Number(e.Total));
            console.Write(errors);
        }

        if (result.Monitor is { } m)
        {
            var server = new Table().Border(TableBorder.Rounded).Title($"server (pid {m.Pid})").AddColumn("").AddColumn(new TableColumn("").RightAligned());
            server.HideHeaders();
            server.AddRow("RSS start / peak / end", $"{Bytes(m.RssStartBytes)} / {Bytes(m.RssPeakBytes)} / {Bytes(m.RssEndBytes)}");
            server.AddRow("RSS slope (second half)", FormattableString.Invariant($"{m.RssSlopeKbPerMinute:+0.0;-0.0;0.0} KB/min: {m.Verdict}"));
            server.AddRow("CPU", FormattableString.Invariant($"{m.CpuSeconds:0.00} s ({(result.DurationSeconds > 0 ? m.CpuSeconds / result.DurationSeconds * 100 : 0):0}% of a core)"));
            server.AddRow("peak threads / open fds", $"{Number(m.PeakThreads)} / {(m.PeakOpenFds < 0 ? "unreadable" : Number(m.PeakOpenFds))}");
            if (result.Idle && result.ConnectionsOpenAtEnd > 0)
            {
                server.AddRow("RSS per held connection", Bytes((m.RssEndBytes - m.RssStartBytes) / (double)result.ConnectionsOpenAtEnd));
            }
            console.Write(server);
        }
    }
}
