using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Server;

public class StatusCodePagesTests
{
    private static AppHarness WithPages() => AppHarness.Create(app =>
    {
        app.UseStatusCodePages(status =>
        {
            status.HttpContext.Response.WriteJson(status.StatusCode, TestJson.Default.Int32);
            return ValueTask.CompletedTask;
        });
        app.MapGet("/get", c => c.Response.WriteText("ok"));
        app.MapGet("/teapot", c => c.Response.StatusCode = 418);
        app.MapGet("/own-body", c =>
        {
            c.Response.StatusCode = 400;
            c.Response.WriteText("my own words");
        });
        app.MapGet("/throws", c => throw new InvalidOperationException("boom"));
        app.MapGet("/throws-later", async c =>
        {
            await Task.CompletedTask;
            c.Response.Headers.Add("X-Lost", "1");
            throw new InvalidOperationException("boom later");
        });
    });

    [Fact]
    public void The_app_replaces_the_bodies_of_404_405_its_own_bodyless_errors_and_the_500()
    {
        var harness = WithPages();

        string notFound = harness.Send("GET /nope HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 404", notFound);
        Assert.Equal("404", AppHarness.Body(notFound));
        Assert.Equal("application/json", AppHarness.Header(notFound, "Content-Type"));

        string notAllowed = harness.Send("POST /get HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 405", notAllowed);
        Assert.Equal("GET, HEAD", AppHarness.Header(notAllowed, "Allow"));
        Assert.Equal("405", AppHarness.Body(notAllowed));

        Assert.Equal("418", AppHarness.Body(harness.Send("GET /teapot HTTP/1.1\r\nHost: a\r\n\r\n")));
        Assert.Equal("my own words", AppHarness.Body(harness.Send("GET /own-body HTTP/1.1\r\nHost: a\r\n\r\n")));
        Assert.Equal("ok", AppHarness.Body(harness.Send("GET /get HTTP/1.1\r\nHost: a\r\n\r\n")));

        string failed = harness.Send("GET /throws HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 500", failed);
        Assert.Equal("500", AppHarness.Body(failed));
        string failedLater = harness.Send("GET /throws-later HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("500", AppHarness.Body(failedLater));
        Assert.Null(AppHarness.Header(failedLater, "X-Lost"));
        Assert.Equal(2, harness.Logs.Errors.Count(e => e.Message.StartsWith("request handler failed", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_format_gives_a_page_and_without_pages_the_built_in_bodies_stay()
    {
        var formatted = AppHarness.Create(app => app.UseStatusCodePages("text/plain", "Status code: {0}"));
        string page = formatted.Send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("Status code: 404", AppHarness.Body(page));
        Assert.Equal("text/plain", AppHarness.Header(page, "Content-Type"));

        var plain = AppHarness.Create(app => app.MapGet("/a", c => { }));
        Assert.Equal("Not Found\n", AppHarness.Body(plain.Send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n")));
        Assert.Equal("Method Not Allowed\n", AppHarness.Body(plain.Send("DELETE /a HTTP/1.1\r\nHost: a\r\n\r\n")));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
internal sealed partial class TestJson : System.Text.Json.Serialization.JsonSerializerContext;
