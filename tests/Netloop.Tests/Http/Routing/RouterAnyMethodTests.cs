using System.Text;
using Netloop.Http.Routing;

namespace Netloop.Tests.Http.Routing;

public class RouterAnyMethodTests
{
    private static RouteMatch<string> Match(Router<string> router, string method, string path) =>
        router.Match(Encoding.ASCII.GetBytes(method), Encoding.ASCII.GetBytes(path));

    [Fact]
    public void An_any_method_route_takes_what_no_specific_route_takes_and_never_yields_405()
    {
        var router = new Router<string>();
        router.AddAnyMethod("/items/{id}", "any");
        router.Add("GET", "/items/{id}", "get");
        router.Add("POST", "/items/me", "post me");

        Assert.Equal("get", Match(router, "GET", "/items/1").Handler);
        Assert.Equal("get", Match(router, "HEAD", "/items/1").Handler);
        Assert.Equal("any", Match(router, "DELETE", "/items/1").Handler);
        Assert.Equal("post me", Match(router, "POST", "/items/me").Handler);
        Assert.Equal("any", Match(router, "PUT", "/items/me").Handler); // the literal refuses PUT, the parameter route takes it
        Assert.Equal(RouteMatchKind.NotFound, Match(router, "PUT", "/other").Kind);
        Assert.True(router.HasAnyMethodRoute);
        Assert.Equal(["GET", "POST"], router.Methods);
    }

    [Fact]
    public void Two_any_method_routes_on_one_template_conflict()
    {
        var router = new Router<string>();
        router.AddAnyMethod("/a/{x}", "1");

        var error = Assert.Throws<ArgumentException>(() => router.AddAnyMethod("/A/{y}", "2"));
        Assert.Contains("(any method)", error.Message, StringComparison.Ordinal);
    }
}
