using System.Text.Json;
using Netloop.Server;
using Xunit.Abstractions;

namespace Netloop.Tests.Integration.Http2;

/// <summary>
/// A client that stalls instead of flooding: a zero flow-control window, a preface without its SETTINGS, nothing at
/// all. Short timeouts (in-process app, <see cref="Netloop.Protocols.Http2.Http2Limits"/>) end each; a well-behaved
/// connection beside it is served before and after (and during, as far as the short wait leaves room: counted in the
/// report, not required, since how many round trips fit in one second is timing). Driven by <c>scripts/h2flood.py</c>.
/// </summary>
public sealed class Http2TimeoutTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_short = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_stream_whose_window_stays_at_zero_is_reset_and_its_connection_goes_on()
    {
        await using var app = Http2FloodTests.StartApp(builder => builder.Limits.Http2.FlowControlStallTimeout = s_short);

        var report = await new Http2FloodTests(output).FloodAsync(app, "zero_window_stall");

        // P7-DESIGN.md / Http2Limits.FlowControlStallTimeout: the stuck stream is reset (CANCEL), the connection is not at fault.
        Assert.True(report.GetProperty("resets").TryGetProperty("CANCEL", out var cancel) && cancel.GetInt32() == 1, $"{report}");
        Assert.True(report.GetProperty("goaway").ValueKind == JsonValueKind.Null, $"{report}");
        Assert.True(report.GetProperty("ping_after").GetBoolean(), $"the connection stopped answering after the reset: {report}");
        Http2FloodTests.AssertBystanderServed(report, duringRequired: false);
        Assert.Empty(app.Logs.Errors);
    }

    [Fact]
    public async Task A_connection_whose_window_stays_at_zero_gets_goaway_flow_control_error_and_is_closed()
    {
        await using var app = Http2FloodTests.StartApp(builder => builder.Limits.Http2.FlowControlStallTimeout = s_short);

        var report = await new Http2FloodTests(output).FloodAsync(app, "connection_window_stall");

        var goaway = report.GetProperty("goaway");
        Assert.True(goaway.ValueKind == JsonValueKind.Object, $"no GOAWAY: {report}");
        Assert.Equal("FLOW_CONTROL_ERROR", goaway.GetProperty("code").GetString());
        Assert.True(report.GetProperty("closed").ValueKind != JsonValueKind.Null, $"{report}");
        Http2FloodTests.AssertBystanderServed(report, duringRequired: false);
        Http2FloodTests.AssertOneWarning(app, report);
    }

    [Fact]
    public async Task A_preface_without_settings_gets_goaway_settings_timeout_and_is_closed()
    {
        await using var app = Http2FloodTests.StartApp(builder => builder.Limits.Http2.PrefaceTimeout = s_short);

        var report = await new Http2FloodTests(output).FloodAsync(app, "preface_without_settings");

        var goaway = report.GetProperty("goaway");
        Assert.True(goaway.ValueKind == JsonValueKind.Object, $"no GOAWAY: {report}");
        Assert.Equal("SETTINGS_TIMEOUT", goaway.GetProperty("code").GetString());
        Assert.True(report.GetProperty("closed").ValueKind != JsonValueKind.Null, $"{report}");
        Http2FloodTests.AssertBystanderServed(report, duringRequired: false);
        Assert.Empty(app.Logs.Errors);
    }

    [Fact]
    public async Task A_connection_that_sends_nothing_is_closed_by_the_idle_timeout()
    {
        await using var app = Http2FloodTests.StartApp(builder => builder.Options.IdleTimeout = s_short);

        var report = await new Http2FloodTests(output).FloodAsync(app, "preface_silent");

        // Nothing came, so nothing says HTTP/2 yet: the transport's idle timeout ends it.
        Assert.True(report.GetProperty("closed").ValueKind != JsonValueKind.Null, $"the silent connection was never closed: {report}");
        Http2FloodTests.AssertBystanderServed(report, duringRequired: false);
        Assert.Empty(app.Logs.Errors);
    }

    [Fact]
    public async Task A_connection_that_stops_inside_the_preface_is_closed()
    {
        await using var app = Http2FloodTests.StartApp(builder =>
        {
            builder.Limits.RequestHeadersTimeout = s_short;
            builder.Limits.Http2.PrefaceTimeout = s_short;
            builder.Options.IdleTimeout = TimeSpan.FromSeconds(30);
        });

        var report = await new Http2FloodTests(output).FloodAsync(app, "preface_partial");

        Assert.True(report.GetProperty("closed").ValueKind != JsonValueKind.Null, $"a connection stuck in its preface was never closed: {report}");
        Http2FloodTests.AssertBystanderServed(report, duringRequired: false);
        Assert.Empty(app.Logs.Errors);
    }

    [Fact]
    public async Task An_idle_http2_connection_gets_goaway_no_error_before_the_idle_timeout_closes_it()
    {
        await using var app = Http2FloodTests.StartApp(builder => builder.Options.IdleTimeout = TimeSpan.FromSeconds(2));

        var report = await new Http2FloodTests(output).FloodAsync(app, "idle_after_settings");

        // RFC 9113 §6.8: "An endpoint SHOULD always send a GOAWAY frame before closing a connection" (Kestrel and
        // nginx do on their keep-alive timeouts), so the client knows no stream was in progress and may reconnect.
        Assert.True(report.GetProperty("closed").ValueKind != JsonValueKind.Null, $"never closed: {report}");
        var goaway = report.GetProperty("goaway");
        Assert.True(goaway.ValueKind == JsonValueKind.Object, $"closed without a GOAWAY: {report}");
        Assert.Equal("NO_ERROR", goaway.GetProperty("code").GetString());
        Assert.Empty(app.Logs.Errors);
    }
}
