using Netloop.Http.Routing;

namespace Netloop.Tests.Http.Routing;

public class RouteTemplateTests
{
    [Theory]
    [InlineData("/a//b")]
    [InlineData("//")]
    [InlineData("/a//")]
    [InlineData("/users/{")]
    [InlineData("/users/{id")]
    [InlineData("/users/id}")]
    [InlineData("/users/{}")]
    [InlineData("/users/{id}.{ext}")]
    [InlineData("/users/x{id}")]
    [InlineData("/users/{{id}}")]
    [InlineData("/users/{id=5}")]
    [InlineData("/users/{id:unknown}")]
    [InlineData("/users/{id:int(3)}")]
    [InlineData("/users/{id?}/x")]
    [InlineData("/files/{*rest}/x")]
    [InlineData("/files/{***rest}")]
    [InlineData("/files/{*rest?}")]
    [InlineData("/files/{*rest:int}")]
    [InlineData("/files/{*}")]
    [InlineData("/a/{id}/b/{ID}")]
    [InlineData("/a/{bad name}")]
    [InlineData("/a/{na.me}")]
    [InlineData("/what?")]
    [InlineData("/frag#ment")]
    [InlineData("/back\\slash")]
    public void Malformed_templates_are_rejected_at_add_time(string template)
    {
        var router = new Router<string>();
        ArgumentException e = Assert.Throws<ArgumentException>(() => router.Add("GET", template, "h"));
        Assert.Contains(template, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, router.Count);
    }

    [Fact]
    public void More_than_32_parameters_are_rejected()
    {
        string template = string.Concat(Enumerable.Range(0, 33).Select(i => $"/{{p{i}}}"));
        Assert.Throws<ArgumentException>(() => new Router<string>().Add("GET", template, "h"));
        string ok = string.Concat(Enumerable.Range(0, 32).Select(i => $"/{{p{i}}}"));
        var router = new Router<string>();
        router.Add("GET", ok, "h");
        string path = string.Concat(Enumerable.Range(0, 32).Select(i => $"/v{i}"));
        RouteMatch<string> match = router.Match("GET"u8, System.Text.Encoding.ASCII.GetBytes(path));
        Assert.Equal("v31", match.Values["p31"]);
    }

    [Theory]
    [InlineData("/users/{id}", "/users/{userId}")]
    [InlineData("/users/{id}", "users/{id}/")]
    [InlineData("/Users/Me", "/users/me")]
    [InlineData("/a/{x:int}", "/a/{y:INT}")]
    [InlineData("/static/{*path}", "/static/{**rest}")]
    [InlineData("/pages/{n?}", "/pages")]
    [InlineData("/pages", "/pages/{n?}")]
    [InlineData("/", "")]
    public void Equivalent_templates_with_the_same_method_conflict(string first, string second)
    {
        var router = new Router<string>();
        router.Add("GET", first, "one");
        ArgumentException e = Assert.Throws<ArgumentException>(() => router.Add(["POST", "GET"], second, "two"));
        Assert.Contains("conflicts", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, router.Count);
    }

    [Fact]
    public void A_failed_add_registers_none_of_its_methods()
    {
        var router = new Router<string>();
        router.Add("GET", "/pages/{n?}", "one");
        Assert.Throws<ArgumentException>(() => router.Add(["POST", "GET"], "/pages", "two"));
        RouteMatch<string> post = router.Match("POST"u8, "/pages"u8);
        Assert.Equal(RouteMatchKind.MethodNotAllowed, post.Kind);
        Assert.Equal("GET, HEAD", post.Allow);
        Assert.Equal(RouteMatchKind.MethodNotAllowed, router.Match("POST"u8, "/pages/2"u8).Kind);
    }

    [Theory]
    [InlineData("/users/{id}", "/users/{id:int}")]
    [InlineData("/users/{id}", "/users/me")]
    [InlineData("/files/{name}", "/files/{*rest}")]
    [InlineData("/a/{x}/b", "/a/{x}/c")]
    public void Different_shapes_do_not_conflict(string first, string second)
    {
        var router = new Router<string>();
        router.Add("GET", first, "one");
        router.Add("GET", second, "two");
        Assert.Equal(2, router.Count);
    }

    [Fact]
    public void The_same_template_with_another_method_does_not_conflict()
    {
        var router = new Router<string>();
        router.Add("GET", "/users/{id}", "get");
        router.Add("DELETE", "/users/{userId}", "delete");
        Assert.Equal("1", router.Match("GET"u8, "/users/1"u8).Values["id"]);
        RouteMatch<string> delete = router.Match("DELETE"u8, "/users/2"u8);
        Assert.Equal("2", delete.Values["userId"]);
        Assert.Null(delete.Values["id"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("G ET")]
    [InlineData("GET/")]
    [InlineData("GÉT")]
    public void Invalid_methods_are_rejected(string method)
    {
        Assert.Throws<ArgumentException>(() => new Router<string>().Add(method, "/a", "h"));
    }

    [Fact]
    public void Empty_and_duplicate_method_lists_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new Router<string>().Add([], "/a", "h"));
        Assert.Throws<ArgumentException>(() => new Router<string>().Add(["GET", "get"], "/a", "h"));
        Assert.Throws<ArgumentNullException>(() => new Router<string>().Add("GET", null!, "h"));
    }
}
