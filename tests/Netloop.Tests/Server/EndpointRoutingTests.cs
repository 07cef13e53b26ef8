using Netloop.Http;
using Netloop.Protocols.Http1;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Server;

/// <summary>The Map* surface, groups, fallback and the server's own answers (OPTIONS, OPTIONS *, CONNECT), on in-memory connections.</summary>
public class EndpointRoutingTests
{
    private static string Req(string method, string target, string extra = "") => $"{method} {target} HTTP/1.1\r\nHost: a\r\n{extra}Content-Length: 0\r\n\r\n";

    [Fact]
    public void Every_verb_has_sync_Task_and_ValueTask_overloads()
    {
        var harness = AppHarness.Create(app =>
        {
            app.MapGet("/s", c => c.Response.WriteText("get-sync"));
            app.MapGet("/t", async c =>
            {
                await Task.CompletedTask;
                c.Response.WriteText("get-task");
            });
            app.MapGet("/v", static c =>
            {
                c.Response.WriteText("get-valuetask");
                return ValueTask.CompletedTask;
            });
            app.MapPost("/x", c => c.Response.WriteText("post"));
            app.MapPut("/x", c =>
            {
                c.Response.WriteText("put");
                return Task.CompletedTask;
            });
            app.MapDelete("/x", static c =>
            {
                c.Response.StatusCode = 204;
                return ValueTask.CompletedTask;
            });
            app.MapPatch("/x", c => c.Response.WriteText("patch"));
            app.MapMethods(["PROPFIND", "report"], "/dav", c => c.Response.WriteText(c.Request.Method));
        });

        Assert.EndsWith("get-sync", harness.Send(Req("GET", "/s")));
        Assert.EndsWith("get-valuetask", harness.Send(Req("GET", "/v")));
        Assert.EndsWith("get-task", harness.Send(Req("GET", "/t")));
        Assert.EndsWith("post", harness.Send(Req("POST", "/x")));
        Assert.EndsWith("put", harness.Send(Req("PUT", "/x")));
        Assert.StartsWith("HTTP/1.1 204", harness.Send(Req("DELETE", "/x")));
        Assert.EndsWith("patch", harness.Send(Req("PATCH", "/x")));
        Assert.EndsWith("PROPFIND", harness.Send(Req("PROPFIND", "/dav")));
        Assert.EndsWith("REPORT", harness.Send(Req("REPORT", "/dav")));
        Assert.Equal("GET, HEAD, POST, PUT, DELETE, PATCH, PROPFIND, REPORT, OPTIONS", AppHarness.Header(harness.Send("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), "Allow"));
    }

    [Fact]
    public void Map_without_methods_takes_any_method_but_a_specific_route_wins()
    {
        var harness = AppHarness.Create(app =>
        {
            app.Map("/any", c => c.Response.WriteText("any " + c.Request.Method));
            app.MapGet("/any", c => c.Response.WriteText("get"));
        });

        Assert.EndsWith("any POST", harness.Send(Req("POST", "/any")));
        Assert.EndsWith("any BREW", harness.Send(Req("BREW", "/any")));
        Assert.EndsWith("get", harness.Send(Req("GET", "/any")));
        Assert.EndsWith("any OPTIONS", harness.Send(Req("OPTIONS", "/any"))); // the app's own OPTIONS, not the automatic one
    }

    [Fact]
    public void Groups_prefix_their_routes_nest_and_share_the_builder_surface()
    {
        var harness = AppHarness.Create(app =>
        {
            var api = app.MapGroup("/api");
            api.MapGet("/todos", c => c.Response.WriteText("list"))
               .MapGet("/todos/{id:int}", c => c.Response.WriteText("todo " + c.Route["id"]));
            var users = api.MapGroup("users/{user}/");
            users.MapGet("/", c => c.Response.WriteText("user " + c.Route["user"]));
            users.MapPost("/notes/{note}", c => c.Response.WriteText($"{c.Route["user"]}/{c.Route["note"]}"));
        });

        Assert.EndsWith("list", harness.Send(Req("GET", "/api/todos")));
        Assert.EndsWith("todo 7", harness.Send(Req("GET", "/api/todos/7")));
        Assert.EndsWith("user ann", harness.Send(Req("GET", "/api/users/ann")));
        Assert.EndsWith("ann/n1", harness.Send(Req("POST", "/api/users/ann/notes/n1")));
        Assert.StartsWith("HTTP/1.1 404", harness.Send(Req("GET", "/todos")));
    }

    [Fact]
    public void Mapping_after_the_first_request_throws_and_conflicts_throw_at_once()
    {
        NetloopApp? captured = null;
        var harness = AppHarness.Create(app =>
        {
            captured = app;
            app.MapGet("/a", c => c.Response.WriteText("a"));
            var conflict = Assert.Throws<ArgumentException>(() => app.MapGroup("/").MapGet("/A/", c => { }));
            Assert.Contains("conflicts", conflict.Message, StringComparison.Ordinal);
        });
        harness.Send(Req("GET", "/a"));

        Assert.Throws<InvalidOperationException>(() => captured!.MapGet("/b", c => { }));
        Assert.Throws<InvalidOperationException>(() => captured!.Use((c, next) => next(c)));
        Assert.Throws<InvalidOperationException>(() => captured!.MapGroup("/g"));
    }

    [Fact]
    public void Fallback_answers_unmatched_paths_for_any_method_but_not_405s()
    {
        var harness = AppHarness.Create(app =>
        {
            app.MapGet("/only-get", c => c.Response.WriteText("get"));
            app.MapFallback(c =>
            {
                c.Response.StatusCode = 404;
                c.Response.WriteText("fallback " + c.Request.Method + " " + c.Request.Path);
            });
        });

        Assert.EndsWith("fallback GET /missing", harness.Send(Req("GET", "/missing")));
        Assert.EndsWith("fallback DELETE /a/b", harness.Send(Req("DELETE", "/a/b")));
        Assert.StartsWith("HTTP/1.1 405", harness.Send(Req("POST", "/only-get")));
    }

    [Fact]
    public void Options_on_a_mapped_path_is_answered_with_its_Allow_unless_the_app_maps_OPTIONS()
    {
        var harness = AppHarness.Create(app =>
        {
            app.MapGet("/r", c => c.Response.WriteText("r"));
            app.MapPost("/r", c => { });
            app.MapGet("/own", c => { });
            app.MapMethods(["OPTIONS"], "/own", c => c.Response.WriteText("mine"));
        });

        string auto = harness.Send(Req("OPTIONS", "/r"));
        Assert.StartsWith("HTTP/1.1 200 OK", auto);
        Assert.Equal("GET, HEAD, POST", AppHarness.Header(auto, "Allow"));
        Assert.Equal("0", AppHarness.Header(auto, "Content-Length"));
        Assert.EndsWith("mine", harness.Send(Req("OPTIONS", "/own")));
        Assert.StartsWith("HTTP/1.1 404", harness.Send(Req("OPTIONS", "/nothing")));
        string notAllowed = harness.Send(Req("DELETE", "/r"));
        Assert.StartsWith("HTTP/1.1 405", notAllowed);
        Assert.Equal("GET, HEAD, POST", AppHarness.Header(notAllowed, "Allow"));
    }

    [Fact]
    public void Options_asterisk_is_answered_by_the_server_with_every_method_the_app_serves()
    {
        var harness = AppHarness.Create(app =>
        {
            app.MapGet("/a", c => { });
            app.MapPut("/b/{id}", c => { });
        });

        string response = harness.Send("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK", response);
        Assert.Equal("GET, HEAD, PUT, OPTIONS", AppHarness.Header(response, "Allow"));
        Assert.Equal("0", AppHarness.Header(response, "Content-Length"));
    }

    [Fact]
    public void An_unmapped_connect_gets_405_not_404_and_a_middleware_can_see_the_target_form()
    {
        var seen = new List<RequestTargetForm>();
        var harness = AppHarness.Create(app =>
        {
            app.Use((c, next) =>
            {
                seen.Add(c.Request.TargetForm);
                return next(c);
            });
            app.MapGet("/a", c => c.Response.WriteText("path " + c.Request.Path));
        });

        string connect = harness.Send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 405", connect);
        Assert.Equal("GET, HEAD, OPTIONS", AppHarness.Header(connect, "Allow"));
        Assert.EndsWith("path /a", harness.Send("GET http://a/a?q=1 HTTP/1.1\r\nHost: a\r\n\r\n"));
        harness.Send("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
        harness.Send(Req("GET", "/a"));

        Assert.Equal([RequestTargetForm.Authority, RequestTargetForm.Absolute, RequestTargetForm.Asterisk, RequestTargetForm.Origin], seen);
    }

    [Fact]
    public void A_middleware_may_answer_connect_itself()
    {
        var harness = AppHarness.Create(app => app.Use((c, next) =>
        {
            if (c.Request.Method != "CONNECT") return next(c);
            c.Response.StatusCode = 501;
            c.Response.WriteText("no tunnels: " + System.Text.Encoding.ASCII.GetString(c.Request.RawTarget));
            return ValueTask.CompletedTask;
        }));

        string response = harness.Send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 501", response);
        Assert.EndsWith("no tunnels: example.com:443", response);
    }
}
