using System.Globalization;
using ScottPlot;

namespace Netloop.Bench.Experiment;

/// <summary>The experiment's chart: server RSS over time, one line per mode.</summary>
internal static class ExperimentChart
{
    public const string FileName = "experiment-rss.png";

    /// <summary>Writes the chart into <paramref name="folder"/>; returns its file name, or null when no mode has a curve.</summary>
    public static string? Write(ExperimentReport report, string folder)
    {
        var plot = new Plot();
        plot.Title($"Async experiment: server RSS ({report.Batches} batches × {report.Clients} clients, delay {report.HandlerDelayMs.ToString("0.#", CultureInfo.InvariantCulture)} ms)", size: 16);
        plot.XLabel("seconds since the server started", size: 14);
        plot.YLabel("RSS (MiB)", size: 14);
        var palette = new ScottPlot.Palettes.Category20();
        double top = 0, right = 0;
        int index = 0;
        foreach (var result in report.Results)
        {
            var curve = result.Curve;
            if (curve.Count == 0) continue;
            double[] ys = curve.Select(p => p.RssBytes / 1048576.0).ToArray();
            var line = plot.Add.Scatter(curve.Select(p => p.Seconds).ToArray(), ys, palette.GetColor(index++));
            line.LegendText = result.Mode;
            line.LineWidth = 2;
            line.MarkerSize = 0;
            top = Math.Max(top, ys.Max());
            right = Math.Max(right, curve[^1].Seconds);
        }
        if (index == 0) return null;
        plot.Axes.SetLimitsY(0, top * 1.15);
        plot.Axes.SetLimitsX(0, Math.Max(1, right));
        plot.ShowLegend(Edge.Right);
        plot.SavePng(Path.Combine(folder, FileName), 1200, 600);
        return FileName;
    }
}
