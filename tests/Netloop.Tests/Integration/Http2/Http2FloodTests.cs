using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Netloop.Server;
using Netloop.Tests.Integration.Http;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Http2;

/// <summary>
/// The known HTTP/2 floods, each reproduced by <c>scripts/h2flood.py</c> against an in-process app on a real socket,
/// beside a well-behaved connection. The attacker must get GOAWAY (ENHANCE_YOUR_CALM, P7-DESIGN.md "Floods") and be
/// closed; the bystander gets its 200 before the flood, between every two batches of it, and after it; the server logs
/// one warning for the defence and no error.
/// </summary>
public sealed class Http2FloodTests(ITestOutputHelper output)
{
    public static TheoryData<string, string?, string> Floods() => new()
    {
        // attack (h2flood.py), RST_STREAM code the server must send before it gives up (null: none required),
        // the counter in the "HTTP/2: …" line logged at stop that the defence raises
        { "rapid_reset", null, "rapid-resets" },                                // CVE-2023-44487
        { "made_you_reset", "FLOW_CONTROL_ERROR", "rapid-resets" },             // CVE-2025-8671: WINDOW_UPDATE overflow on an open stream
        { "made_you_reset_zero_increment", "PROTOCOL_ERROR", "rapid-resets" },  // CVE-2025-8671: WINDOW_UPDATE of 0 on an open stream
        { "continuation_flood", null, "continuation-floods" },                  // CVE-2024-27316 class
        { "settings_flood", null, "settings-floods" },
        { "ping_flood", null, "ping-floods" },
        { "empty_data_flood", null, "empty-frame-floods" },
        { "window_update_flood", null, "window-update-floods" },
        { "priority_flood", null, "priority-floods" },
        { "beyond_concurrency", "REFUSED_STREAM", "refused-stream-floods" },
    };

    [Theory]
    [MemberData(nameof(Floods))]
    public async Task A_flood_gets_goaway_enhance_your_calm_and_a_close_while_another_connection_is_served(string attack, string? reset, string counter)
    {
        await using var app = StartApp();

        var report = await FloodAsync(app, attack);

        var goaway = report.GetProperty("goaway");
        Assert.True(goaway.ValueKind == JsonValueKind.Object, $"no GOAWAY: {report}");
        Assert.Equal("ENHANCE_YOUR_CALM", goaway.GetProperty("code").GetString());
        Assert.True(report.GetProperty("closed").ValueKind != JsonValueKind.Null, $"the attacker was not closed: {report}");
        if (reset is not null)
        {
            Assert.True(report.GetProperty("resets").TryGetProperty(reset, out var count) && count.GetInt32() > 0, $"no RST_STREAM {reset} before the GOAWAY: {report}");
        }
        AssertBystanderServed(report);
        AssertOneWarning(app, report);

        await app.App.StopAsync();
        var summary = app.Logs.Entries.Single(e => e.Message.StartsWith("HTTP/2: ", StringComparison.Ordinal)).Message;
        Assert.Contains($" {counter}=1", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_hpack_bomb_gets_431_never_200_while_another_connection_is_served()
    {
        await using var app = StartApp();

        var report = await FloodAsync(app, "hpack_bomb");

        // The first request, which put the 4 KB field into the table, is within MaxHeaderListSize (32 KiB): 200. Every
        // block that references it 16,000 times decodes to ~64 MB: 431 (P7-DESIGN.md), or the connection is ended.
        var statuses = report.GetProperty("statuses");
        Assert.True(statuses.TryGetProperty("200", out var ok) && ok.GetInt32() == 1, $"{report}");
        Assert.True(statuses.TryGetProperty("431", out var tooLarge) && tooLarge.GetInt32() > 0, $"no 431: {report}");
        Assert.Equal(2, statuses.EnumerateObject().Count());
        var goaway = report.GetProperty("goaway");
        if (goaway.ValueKind == JsonValueKind.Object) Assert.Equal("ENHANCE_YOUR_CALM", goaway.GetProperty("code").GetString());
        AssertBystanderServed(report);
        Assert.Empty(app.Logs.Errors);
    }

    internal static HttpTestApp StartApp(Action<NetloopAppBuilder>? configure = null) => HttpTestApp.Start(app =>
    {
        app.MapGet("/plaintext", context => context.Response.WriteText("Hello, World!"));
        app.MapPost("/echo", async context => await context.Request.Body.CopyToAsync(context.Response.Body));
    }, configure);

    internal async Task<JsonElement> FloodAsync(HttpTestApp app, string attack)
    {
        var run = await Http2Tools.PythonAsync(output, "h2flood.py", [app.EndPoint.Port.ToString(CultureInfo.InvariantCulture), attack], TimeSpan.FromSeconds(240));
        var report = run.Json();
        output.WriteLine(report.ToString());
        return report;
    }

    internal static void AssertBystanderServed(JsonElement report, bool duringRequired = true)
    {
        Assert.True(report.GetProperty("bystander_failures").GetArrayLength() == 0, $"the well-behaved connection failed: {report}");
        Assert.Equal(1, report.GetProperty("before").GetInt32());
        // During a flood the bystander asks between two batches, before the budget can be spent: at least one answer.
        Assert.True(!duringRequired || report.GetProperty("during").GetInt32() > 0, $"no answer during the flood: {report}");
        Assert.Equal(20, report.GetProperty("after").GetInt32());
    }

    internal static void AssertOneWarning(HttpTestApp app, JsonElement report)
    {
        // P7-DESIGN.md: every defence logs one Warning "HTTP/2 defence: connection {Id}: {defence}: {detail}; closing it" (at most one a second over all connections).
        var warnings = app.Logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("HTTP/2", StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Count == 1, $"expected one HTTP/2 warning, got {warnings.Count}: {string.Join("\n", warnings)}\n{report}");
        Assert.Contains("closing it", warnings[0].Message, StringComparison.Ordinal);
        Assert.Empty(app.Logs.Errors);
    }
}
