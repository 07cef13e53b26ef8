using System.Text;
using Netloop.Http;
using Netloop.Server;
using Netloop.Tests.Support;

namespace Netloop.Tests.Server;

public class MiddlewareTests
{
    private static readonly byte[] Get = "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray();

    [Fact]
    public void Middleware_runs_in_order_added_around_routing_and_can_short_circuit()
    {
        var order = new List<string>();
        var harness = AppHarness.Create(app =>
        {
            app.Use(async (c, next) =>
            {
                order.Add("first in");
                await next(c);
                order.Add("first out");
            });
            app.Use(async (HttpContext c, Func<Task> next) =>
            {
                order.Add("classic in");
                await next();
                order.Add("classic out");
            });
            app.Use(next => c =>
            {
                if (c.Request.Path == "/blocked")
                {
                    c.Response.StatusCode = 403;
                    return ValueTask.CompletedTask;
                }
                return next(c);
            });
            app.MapGet("/plaintext", c =>
            {
                order.Add("handler");
                c.Response.WriteText("hi");
            });
        });

        Assert.EndsWith("hi", harness.Send("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"));
        Assert.Equal(["first in", "classic in", "handler", "classic out", "first out"], order);
        Assert.StartsWith("HTTP/1.1 403", harness.Send("GET /blocked HTTP/1.1\r\nHost: a\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 404", harness.Send("GET /missing HTTP/1.1\r\nHost: a\r\n\r\n")); // middleware sees 404s too
    }

    [Fact]
    public void Group_middleware_runs_for_its_group_only_inside_the_app_middleware()
    {
        var harness = AppHarness.Create(app =>
        {
            app.Use((c, next) =>
            {
                c.Response.Headers.Add("X-Trace", "app");
                return next(c);
            });
            var api = app.MapGroup("/api");
            api.Use((c, next) =>
            {
                c.Response.Headers.Add("X-Trace", "api");
                return next(c);
            });
            var admin = api.MapGroup("/admin").Use((c, next) =>
            {
                c.Response.Headers.Add("X-Trace", "admin");
                return next(c);
            });
            api.MapGet("/a", c => c.Response.WriteText("a"));
            admin.MapGet("/b", c => c.Response.WriteText("b"));
            app.MapGet("/c", c => c.Response.WriteText("c"));
        });

        Assert.Equal(["app", "api"], AppHarness.Headers(harness.Send("GET /api/a HTTP/1.1\r\nHost: a\r\n\r\n"), "X-Trace"));
        Assert.Equal(["app", "api", "admin"], AppHarness.Headers(harness.Send("GET /api/admin/b HTTP/1.1\r\nHost: a\r\n\r\n"), "X-Trace"));
        Assert.Equal(["app"], AppHarness.Headers(harness.Send("GET /c HTTP/1.1\r\nHost: a\r\n\r\n"), "X-Trace"));
    }

    [Fact]
    public void A_pass_through_middleware_allocates_nothing_per_request()
    {
        var harness = AppHarness.Create(app =>
        {
            app.Use(static (c, next) => next(c));
            var group = app.MapGroup("/");
            group.Use(static (c, next) => next(c));
            group.MapGet("/plaintext", static c => c.Response.Write("Hello, World!"u8));
        });
        var connection = new CountingConnection(harness.App.Protocol.Create());
        for (int i = 0; i < 1_000; i++) connection.Deliver(Get); // warm-up: JIT, composition, pools, the date cache

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) connection.Deliver(Get);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(11_000, connection.Responses);
        Assert.Equal(200, connection.LastStatus);
    }

    [Fact]
    public void Automatic_options_and_405_allocate_nothing_per_request_either()
    {
        var harness = AppHarness.Create(app =>
        {
            app.Use(static (c, next) => next(c));
            app.MapGet("/plaintext", static c => c.Response.Write("x"u8));
        });
        var options = Encoding.ASCII.GetBytes("OPTIONS /plaintext HTTP/1.1\r\nHost: a\r\n\r\n");
        var star = Encoding.ASCII.GetBytes("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
        var connection = new CountingConnection(harness.App.Protocol.Create());
        for (int i = 0; i < 1_000; i++)
        {
            connection.Deliver(options);
            connection.Deliver(star);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5_000; i++)
        {
            connection.Deliver(options);
            connection.Deliver(star);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(12_000, connection.Responses);
        Assert.Equal(200, connection.LastStatus);
    }
}
