namespace Netloop.Bench.Report;

/// <summary>A chart written next to the report.</summary>
/// <param name="FileName">File name inside the output folder (<c>requests-plaintext.png</c>).</param>
/// <param name="Title">What it shows, used as the image's alt text.</param>
internal sealed record ChartFile(string FileName, string Title);
