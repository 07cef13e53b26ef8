using System.Globalization;
using Netloop.Bench.Cases;
using Netloop.Bench.Servers;
using ScottPlot;

namespace Netloop.Bench.Report;

/// <summary>
/// The PNG charts beside the report (ScottPlot): requests/s and p99 latency against connections for the echo and
/// plaintext families, bytes per idle connection, and the soak's RSS over time. Each server keeps one colour in
/// every chart. A chart whose cases all failed is still drawn, saying so, so a missing figure is never silent.
/// </summary>
internal static class Charts
{
    private const int Width = 960;
    private const int Height = 560;

    /// <summary>Draws every chart the run's cases call for into <paramref name="folder"/>; returns them in report order.</summary>
    public static IReadOnlyList<ChartFile> Write(BenchReport report, string folder)
    {
        var charts = new List<ChartFile>();
        foreach (string family in new[] { CaseCatalog.Echo, CaseCatalog.Plaintext })
        {
            var cases = report.Cases.Where(c => c.Family == family).OrderBy(c => c.Connections).ToList();
            if (cases.Count == 0) continue;
            string title = family == CaseCatalog.Echo ? $"Echo ({Format.Count(cases[0].PayloadBytes)} B messages)" : "HTTP plaintext";
            charts.Add(ByConnections(report, folder, cases, $"requests-{family}.png", $"{title}: requests/s vs connections", "requests/s", m => m.RequestsPerSecond));
            charts.Add(ByConnections(report, folder, cases, $"p99-{family}.png", $"{title}: p99 latency vs connections", "p99 latency (ms)", m => m.P99Us / 1000));
        }
        // HTTP/2 cases have one shape each (no connection sweep): a bar per server.
        foreach (var h2 in report.Cases.Where(c => c.Kind == nameof(CaseKind.Throughput) && c.Protocol == nameof(LoadProtocol.Http2)))
        {
            charts.Add(BarsByServer(report, folder, h2, $"requests-{h2.Name}.png", $"{h2.Title}: requests/s", "requests/s", m => m.RequestsPerSecond, v => Format.Number(v)));
        }
        foreach (var idle in report.Cases.Where(c => c.Kind == nameof(CaseKind.Idle))) charts.Add(IdleBars(report, folder, idle));
        var soak = report.Cases.FirstOrDefault(c => c.Kind == nameof(CaseKind.Soak));
        if (soak is not null) charts.Add(SoakCurves(report, folder, soak));
        return charts;
    }

    private static ChartFile ByConnections(
        BenchReport report, string folder, List<CaseEntry> cases, string fileName, string title, string yLabel, Func<Measurement, double> value)
    {
        // One connection count (as in --quick) makes a line chart of dots: bars read better.
        if (cases.Count == 1)
        {
            string single = $"{title[..title.IndexOf(" vs ", StringComparison.Ordinal)]}, {Format.Count(cases[0].Connections)} connections";
            return BarsByServer(report, folder, cases[0], fileName, single, yLabel, m => value(m), v => Format.Number(v));
        }
        var plot = NewPlot(title, "connections", yLabel);
        double[] positions = Enumerable.Range(0, cases.Count).Select(i => (double)i).ToArray();
        bool any = false;
        double top = 0;
        foreach (var server in report.Servers)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int i = 0; i < cases.Count; i++)
            {
                var median = Find(report, server.Name, cases[i].Name)?.Median;
                if (median is null) continue;
                xs.Add(positions[i]);
                ys.Add(value(median));
            }
            if (xs.Count == 0) continue;
            any = true;
            top = Math.Max(top, ys.Max());
            var line = plot.Add.Scatter(xs.ToArray(), ys.ToArray(), ColorOf(server.Name));
            line.LegendText = server.Name;
            line.LineWidth = 2;
            line.MarkerSize = 8;
        }
        plot.Axes.Bottom.SetTicks(positions, cases.Select(c => Format.Count(c.Connections)).ToArray());
        plot.Axes.SetLimitsX(-0.4, cases.Count - 0.6);
        Finish(plot, any, top);
        return Save(plot, folder, fileName, title);
    }

    private static ChartFile IdleBars(BenchReport report, string folder, CaseEntry idle) =>
        idle.Protocol == nameof(LoadProtocol.Http2)
            ? BarsByServer(report, folder, idle, $"{idle.Name}-rss-per-connection.png",
                $"RSS per idle HTTP/2 connection ({Format.Count(idle.Connections)} after the SETTINGS exchange)", "bytes per connection",
                m => m.Idle?.BytesPerConnection, v => Format.Count(v) + " B")
            : BarsByServer(report, folder, idle, "idle-rss-per-connection.png",
                $"RSS per idle connection ({Format.Count(idle.Connections)} idle keep-alive connections)", "bytes per connection",
                m => m.Idle?.BytesPerConnection, v => Format.Count(v) + " B");

    // One bar per server that took part in the case, in the server's colour, its value written above it; a server
    // without a figure keeps its place on the axis, labelled as failed or not run.
    private static ChartFile BarsByServer(
        BenchReport report, string folder, CaseEntry entry, string fileName, string title, string yLabel,
        Func<Measurement, double?> value, Func<double, string> label)
    {
        var plot = NewPlot(title, "", yLabel);
        var servers = report.Servers.Where(s => report.Results.Any(r => r.Server == s.Name && r.Case == entry.Name && r.Status != CaseStatus.Excluded)).ToList();
        var bars = new List<Bar>();
        var tickLabels = new List<string>();
        double top = 0;
        for (int i = 0; i < servers.Count; i++)
        {
            var result = Find(report, servers[i].Name, entry.Name);
            double? v = result?.Median is { } median ? value(median) : null;
            tickLabels.Add(v is null ? $"{servers[i].Name}\n({(result?.Status == CaseStatus.NotRun ? "not run" : "failed")})" : servers[i].Name);
            if (v is null) continue;
            top = Math.Max(top, v.Value);
            bars.Add(new Bar { Position = i, Value = v.Value, FillColor = ColorOf(servers[i].Name), Label = label(v.Value) });
        }
        if (bars.Count > 0)
        {
            var plottable = plot.Add.Bars(bars);
            plottable.ValueLabelStyle.FontSize = 14;
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, servers.Count).Select(i => (double)i).ToArray(), tickLabels.ToArray());
        plot.Axes.SetLimitsX(-0.6, Math.Max(1, servers.Count) - 0.4);
        Finish(plot, bars.Count > 0, top, legend: false);
        return Save(plot, folder, fileName, title);
    }

    private static ChartFile SoakCurves(BenchReport report, string folder, CaseEntry soak)
    {
        string title = $"Soak: server RSS under constant load ({Format.Count(soak.Connections)} connections, HTTP plaintext)";
        var plot = NewPlot(title, "seconds", "RSS (MiB)");
        bool any = false;
        double top = 0;
        foreach (var server in report.Servers)
        {
            var curve = Find(report, server.Name, soak.Name)?.Median?.Soak?.Curve;
            if (curve is null || curve.Count == 0) continue;
            any = true;
            double[] ys = curve.Select(p => p.RssBytes / 1048576.0).ToArray();
            top = Math.Max(top, ys.Max());
            var line = plot.Add.Scatter(curve.Select(p => p.Seconds).ToArray(), ys, ColorOf(server.Name));
            line.LegendText = server.Name;
            line.LineWidth = 2;
            line.MarkerSize = 0;
        }
        Finish(plot, any, top);
        if (any)
        {
            double end = report.Results.Where(r => r.Case == soak.Name).Select(r => r.Median?.Soak?.Curve).Where(c => c is { Count: > 0 }).Max(c => c![^1].Seconds);
            plot.Axes.SetLimitsX(0, Math.Max(1, end));
        }
        return Save(plot, folder, "soak-rss.png", title);
    }

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title, size: 16);
        if (xLabel.Length > 0) plot.XLabel(xLabel, size: 14);
        plot.YLabel(yLabel, size: 14);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = v => v.ToString(Math.Abs(v) >= 100 || v == Math.Floor(v) ? "N0" : "0.##", CultureInfo.InvariantCulture),
        };
        return plot;
    }

    // Every chart starts its y axis at zero, so bars and lines compare by height; an empty one says why it is empty.
    private static void Finish(Plot plot, bool any, double top, bool legend = true)
    {
        if (!any)
        {
            plot.Add.Annotation("no successful measurement: see report.md", Alignment.MiddleCenter);
            plot.Axes.SetLimitsY(0, 1);
            return;
        }
        plot.Axes.SetLimitsY(0, top <= 0 ? 1 : top * 1.15);
        // Outside the data area: inside, it hides whichever point lands in its corner.
        if (legend) plot.ShowLegend(Edge.Right);
    }

    private static ChartFile Save(Plot plot, string folder, string fileName, string title)
    {
        plot.SavePng(Path.Combine(folder, fileName), Width, Height);
        return new ChartFile(fileName, title);
    }

    private static Color ColorOf(string server)
    {
        int index = ServerCatalog.All.Select(s => s.Name).ToList().IndexOf(server);
        return new ScottPlot.Palettes.Category10().GetColor(Math.Max(0, index));
    }

    private static CaseResult? Find(BenchReport report, string server, string caseName) =>
        report.Results.FirstOrDefault(r => r.Server == server && r.Case == caseName);
}
